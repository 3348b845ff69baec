/**
 * Amounts arrive from the operator API as exact decimal strings already scaled by the coin's
 * decimals ("1234.5"), and stay strings: the whole part is grouped by string and BigInt
 * arithmetic and the fraction is shown exactly as sent, never through a float.
 */
export function formatAmount(decimal: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return decimal;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const grouped = BigInt(whole).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`;
}

export function Amount({ value, symbol }: { value: string; symbol?: string }) {
  return (
    <span className="amount" title={`${value}${symbol ? ` ${symbol}` : ''}`}>
      {formatAmount(value)}
      {symbol ? <span className="symbol"> {symbol}</span> : null}
    </span>
  );
}
