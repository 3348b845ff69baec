/** Labelled form controls (every input has a visible <label> bound to it). */
import { useId, type ReactNode } from 'react';

export function TextField({
  label,
  value,
  onChange,
  hint,
  required,
  type = 'text',
  multiline,
  inputMode,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  required?: boolean;
  type?: 'text' | 'url' | 'number';
  multiline?: boolean;
  inputMode?: 'numeric' | 'decimal';
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} value={value} rows={3} onChange={(e) => onChange(e.target.value)} required={required} aria-describedby={hint ? hintId : undefined} />
      ) : (
        <input id={id} type={type} inputMode={inputMode} value={value} onChange={(e) => onChange(e.target.value)} required={required} aria-describedby={hint ? hintId : undefined} />
      )}
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

export function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useId();
  return (
    <div className="field field-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

export function SelectField({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Base units (an integer string) as a decimal string of a coin with `decimals`, by string shifting (no float). */
export function scaleUnits(units: string, decimals: number): string {
  const m = /^(-?)(\d+)$/.exec(units.trim());
  if (!m || decimals <= 0) return units;
  const [, sign = '', digits = '0'] = m;
  const padded = digits.padStart(decimals + 1, '0');
  const whole = padded.slice(0, -decimals).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(-decimals).replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
