/**
 * Bars per day from decimal-string amounts. Each bar's height is computed in BigInt as
 * (value × heightPx) / max over the values scaled to one fixed-point unit: no amount passes
 * through a float. A summary names the figures in words and a table lists every day exactly
 * (for screen readers and for anyone who wants the numbers).
 */
import { useId } from 'react';
import { formatAmount } from './amount.js';

export interface DayValue {
  /** The day, yyyy-mm-dd (UTC). */
  day: string;
  /** The amount that day, a decimal string ("1234.5"). */
  value: string;
}

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/** The values as integers of one unit (10^-scale), and that scale; anything not a decimal counts as 0. */
export function toFixedPoint(values: readonly string[]): { units: bigint[]; scale: number } {
  const parts = values.map((v) => decimalPattern.exec(v.trim()));
  const scale = Math.max(0, ...parts.map((m) => (m?.[2] ?? '').length));
  const units = parts.map((m) => (m ? BigInt(`${m[1]}${(m[2] ?? '').padEnd(scale, '0')}`) : 0n));
  return { units, scale };
}

/** An integer of 10^-scale units back as a decimal string, trailing zeros of the fraction dropped. */
export function fromFixedPoint(units: bigint, scale: number): string {
  if (scale === 0) return units.toString();
  const text = units.toString().padStart(scale + 1, '0');
  const whole = text.slice(0, -scale);
  const fraction = text.slice(-scale).replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : whole;
}

/** Bar heights in whole pixels: (value × heightPx) / max in BigInt (0 when every value is 0). */
export function barHeights(values: readonly string[], heightPx: number): number[] {
  const { units } = toFixedPoint(values);
  const max = units.reduce((m, u) => (u > m ? u : m), 0n);
  const h = BigInt(Math.max(0, Math.floor(heightPx)));
  return units.map((u) => (max === 0n ? 0 : Number((u * h) / max)));
}

export interface DailyChartProps {
  /** What is counted, e.g. "Deposits of USDT". */
  title: string;
  /** The unit shown with amounts, e.g. "USDT". */
  unit: string;
  days: readonly DayValue[];
  heightPx?: number;
}

export function DailyChart({ title, unit, days, heightPx = 120 }: DailyChartProps) {
  const headingId = useId();
  const values = days.map((d) => d.value);
  const heights = barHeights(values, heightPx);
  const { units, scale } = toFixedPoint(values);
  const total = fromFixedPoint(
    units.reduce((s, u) => s + u, 0n),
    scale,
  );
  let top = -1;
  units.forEach((u, i) => {
    if (top < 0 || u > units[top]!) top = i;
  });
  const barWidth = 12;
  const gap = 4;
  const width = Math.max(1, days.length * (barWidth + gap));
  const summary =
    days.length === 0
      ? `${title}: no days to show.`
      : `${title} over ${days.length} days from ${days[0]!.day} to ${days[days.length - 1]!.day}: total ${formatAmount(total)} ${unit}` +
        (units[top]! > 0n ? `, highest ${formatAmount(fromFixedPoint(units[top]!, scale))} ${unit} on ${days[top]!.day}.` : ', nothing on any day.');

  return (
    <figure className="daily-chart" aria-labelledby={headingId}>
      <figcaption id={headingId}>{title}</figcaption>
      <p className="chart-summary">{summary}</p>
      <svg role="img" aria-label={summary} width="100%" height={heightPx + 2} viewBox={`0 0 ${width} ${heightPx + 2}`} preserveAspectRatio="none">
        {days.map((d, i) => (
          <rect key={d.day} data-day={d.day} x={i * (barWidth + gap)} y={heightPx + 1 - heights[i]!} width={barWidth} height={heights[i]!} className="bar">
            <title>{`${d.day}: ${formatAmount(d.value)} ${unit}`}</title>
          </rect>
        ))}
        <line x1="0" x2={width} y1={heightPx + 1} y2={heightPx + 1} className="axis" />
      </svg>
      <details>
        <summary>Every day as a table</summary>
        <div className="table-wrap" tabIndex={0} role="region" aria-label={`${title} per day`}>
          <table>
            <caption>{title} per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Amount ({unit})
                </th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  <td className="num">{formatAmount(d.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
