/**
 * Filters bound to the hash query: the inputs start from the query, "Apply" writes them into
 * it (so a reload or a shared link shows the same list) and "Clear" removes them. Pages read
 * their filters from the route's query, never from this component's state.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { navigate } from '../routing.js';

export interface FilterField {
  /** The query parameter, e.g. "state". */
  name: string;
  label: string;
  /** select: one of `options` ('' is "any"); date: a day, kept as yyyy-mm-dd. */
  type?: 'text' | 'select' | 'date' | 'number';
  options?: readonly string[];
  placeholder?: string;
}

export interface FilterBarProps {
  /** The page's hash path the filters apply to, e.g. "/notifications". */
  path: string;
  query: URLSearchParams;
  fields: FilterField[];
  /** Query parameters kept as they are (not filters of this bar). */
  keep?: string[];
}

function fromQuery(fields: FilterField[], query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, query.get(f.name) ?? '']));
}

export function FilterBar({ path, query, fields, keep = [] }: FilterBarProps) {
  const queryText = query.toString();
  const [values, setValues] = useState(() => fromQuery(fields, query));
  const id = useId();
  // A link or the back button changed the query: show what it says.
  useEffect(() => setValues(fromQuery(fields, new URLSearchParams(queryText))), [queryText]); // eslint-disable-line react-hooks/exhaustive-deps

  function apply(next: Record<string, string>) {
    const kept = Object.fromEntries(keep.flatMap((k) => (query.get(k) ? [[k, query.get(k)!]] : [])));
    navigate(path, { ...kept, ...Object.fromEntries(Object.entries(next).map(([k, v]) => [k, v.trim()])) });
  }

  return (
    <form
      className="filter-bar"
      role="search"
      aria-label="Filters"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        apply(values);
      }}
    >
      {fields.map((f) => {
        const inputId = `${id}-${f.name}`;
        const set = (v: string) => setValues((old) => ({ ...old, [f.name]: v }));
        return (
          <div className="filter" key={f.name}>
            <label htmlFor={inputId}>{f.label}</label>
            {f.type === 'select' ? (
              <select id={inputId} name={f.name} value={values[f.name] ?? ''} onChange={(e) => set(e.target.value)}>
                <option value="">any</option>
                {(f.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={inputId}
                name={f.name}
                type={f.type === 'date' ? 'date' : 'text'}
                inputMode={f.type === 'number' ? 'numeric' : undefined}
                placeholder={f.placeholder}
                value={values[f.name] ?? ''}
                onChange={(e) => set(e.target.value)}
              />
            )}
          </div>
        );
      })}
      <div className="filter-buttons">
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={() => apply(Object.fromEntries(fields.map((f) => [f.name, ''])))}>
          Clear
        </button>
      </div>
    </form>
  );
}

/** A yyyy-mm-dd day as ms at its start in UTC (undefined when empty or not a day). */
export function dayStartMs(day: string | null): number | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The query's value of `name`, or undefined when absent or empty (request schemas take undefined for "any"). */
export function q(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  return v === null || v === '' ? undefined : v;
}
