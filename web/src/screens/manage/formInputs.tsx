/** The labelled inputs of the project settings form: each with its label, an optional hint,
 * and the server's refusal of its value shown beside it. */
import { useId, type ReactNode } from "react";

export interface InputProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem?: string;
  hint?: string;
}

export function FormField({ label, hint, problem, children, id }: { label: string; hint?: string; problem?: string; id: string; children: ReactNode }) {
  return (
    <div className={problem ? "form-field form-field-invalid" : "form-field"}>
      <label htmlFor={id} className="form-label">
        {label}
        {hint ? <span className="muted small form-hint"> {hint}</span> : null}
      </label>
      {children}
      {problem ? (
        <span id={`${id}-problem`} className="form-problem" role="alert">
          {problem}
        </span>
      ) : null}
    </div>
  );
}

export function TextInput({ label, value, onChange, problem, hint, required }: InputProps & { required?: boolean }) {
  const id = useId();
  return (
    <FormField label={label} hint={hint} problem={problem} id={id}>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} required={required} aria-invalid={!!problem} aria-describedby={problem ? `${id}-problem` : undefined} />
    </FormField>
  );
}

export function NumberInput({ label, value, onChange, problem, hint, min, max, step }: InputProps & { min: number; max: number; step?: number }) {
  const id = useId();
  return (
    <FormField label={label} hint={hint} problem={problem} id={id}>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        value={value}
        min={min}
        max={max}
        step={step ?? 1}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!problem}
        aria-describedby={problem ? `${id}-problem` : undefined}
      />
    </FormField>
  );
}

export function SelectInput({ label, value, onChange, options, problem }: InputProps & { options: { value: string; label: string }[] }) {
  const id = useId();
  return (
    <FormField label={label} problem={problem} id={id}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FormField>
  );
}

export function TextArea({ label, value, onChange, problem, rows, mono, hint }: InputProps & { rows: number; mono?: boolean }) {
  const id = useId();
  return (
    <FormField label={label} hint={hint} problem={problem} id={id}>
      <textarea id={id} className={mono ? "textarea-mono" : undefined} value={value} rows={rows} onChange={(e) => onChange(e.target.value)} aria-invalid={!!problem} />
    </FormField>
  );
}

/** The numbers of a draft, checked: null and a message when one is out of range. */
