import { useEffect, useId, useState, type FormEvent } from "react";
import type { TaskFilter, TaskStatus } from "../../../api";
import { optionText, type Interface, type QuestionSpec } from "../../../editor/interface";
import { hasFilters } from "./filters";

interface DataFiltersProps {
  filter: TaskFilter;
  onChange: (filter: TaskFilter) => void;
  iface: Interface;
  /** Members' emails to suggest (none when the caller only sees names). */
  emails: string[];
}

/** Status, annotator, an answer's value, text in the data. Text boxes apply on Enter (search scans the data). */
export function DataFilters({ filter, onChange, iface, emails }: DataFiltersProps) {
  const id = useId();
  const [annotator, setAnnotator] = useState(filter.annotator ?? "");
  const [q, setQ] = useState(filter.q ?? "");
  const [value, setValue] = useState(filter.value ?? "");
  useEffect(() => {
    setAnnotator(filter.annotator ?? "");
    setQ(filter.q ?? "");
    setValue(filter.value ?? "");
  }, [filter.annotator, filter.q, filter.value]);
  const question = iface.questions.find((item) => item.name === filter.question) ?? null;
  const values = question ? valuesOf(question) : null;

  function apply(event?: FormEvent): void {
    event?.preventDefault();
    onChange({ ...filter, annotator: annotator.trim() || null, q: q.trim() || null, value: filter.question ? value.trim() || null : null });
  }

  return (
    <form className="data-filters" onSubmit={apply} role="search" aria-label="Filter tasks">
      <div className="form-field">
        <label htmlFor={`${id}-status`} className="form-label">
          Status
        </label>
        <select id={`${id}-status`} value={filter.status ?? ""} onChange={(e) => onChange({ ...filter, status: (e.target.value || null) as TaskStatus | null })}>
          <option value="">Any</option>
          <option value="new">New</option>
          <option value="in_progress">In progress</option>
          <option value="complete">Complete</option>
        </select>
      </div>
      <div className="form-field">
        <label htmlFor={`${id}-annotator`} className="form-label">
          Annotated by
        </label>
        <input id={`${id}-annotator`} type="email" list={`${id}-emails`} value={annotator} placeholder="email" onChange={(e) => setAnnotator(e.target.value)} autoComplete="off" />
        <datalist id={`${id}-emails`}>
          {emails.map((email) => (
            <option key={email} value={email} />
          ))}
        </datalist>
      </div>
      <div className="form-field">
        <label htmlFor={`${id}-question`} className="form-label">
          Answer to
        </label>
        <select
          id={`${id}-question`}
          value={filter.question ?? ""}
          onChange={(e) => {
            setValue("");
            onChange({ ...filter, question: e.target.value || null, value: null });
          }}
        >
          <option value="">Any question</option>
          {iface.questions.map((item) => (
            <option key={item.name} value={item.name}>
              {item.label || item.name}
            </option>
          ))}
        </select>
      </div>
      {question ? (
        <div className="form-field">
          <label htmlFor={`${id}-value`} className="form-label">
            holds
          </label>
          {values ? (
            <select
              id={`${id}-value`}
              value={filter.value ?? ""}
              onChange={(e) => {
                setValue(e.target.value);
                onChange({ ...filter, value: e.target.value || null });
              }}
            >
              <option value="">any answer</option>
              {values.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          ) : (
            <input id={`${id}-value`} value={value} placeholder="any answer" onChange={(e) => setValue(e.target.value)} />
          )}
        </div>
      ) : null}
      <div className="form-field data-skipped">
        <span className="form-label" aria-hidden="true">
          Skips
        </span>
        <label className="checkbox">
          <input type="checkbox" checked={filter.skipped ?? false} onChange={(e) => onChange({ ...filter, skipped: e.target.checked })} />
          Skipped by someone
        </label>
      </div>
      <div className="form-field data-search">
        <label htmlFor={`${id}-q`} className="form-label">
          Text in the data
        </label>
        <input id={`${id}-q`} type="search" value={q} placeholder="words to find" onChange={(e) => setQ(e.target.value)} />
      </div>
      <div className="data-filter-buttons">
        <button type="submit">Apply</button>
        {hasFilters(filter) ? (
          <button type="button" className="button-quiet" onClick={() => onChange({ sort: filter.sort })}>
            Clear
          </button>
        ) : null}
      </div>
    </form>
  );
}

/** The values an answer can hold, when the question lists them (option values, labels, A/B/tie). */
function valuesOf(question: QuestionSpec): [string, string][] | null {
  switch (question.kind) {
    case "choice":
      return question.options.map((o) => [o.value, optionText(o)]);
    case "spans":
      return question.labels.map((o) => [o.value, optionText(o)]);
    case "turns":
      return question.labels ? question.labels.map((o) => [o.value, optionText(o)]) : null;
    case "pairwise":
      return [
        ["A", "A"],
        ["B", "B"],
        ...(question.allowTie ? ([["tie", "tie"]] as [string, string][]) : []),
      ];
    default:
      return null;
  }
}
