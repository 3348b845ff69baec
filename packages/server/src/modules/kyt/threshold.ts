/**
 * A configured decimal limit ("1000.5") in a coin's base units, rounded down. Limits are
 * compared with "above": for amounts on the coin's grid, `amount > limit` holds exactly when
 * `amount > floor(limit)`, so extra decimals in the setting change nothing.
 */
export function limitUnits(text: string, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  // The config schema only lets decimal strings through: a miss is a bug.
  if (!match) throw new Error(`KYT limit "${text}" is not a decimal amount`);
  const fraction = (match[2] ?? '').slice(0, decimals).padEnd(decimals, '0');
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction || '0');
}
