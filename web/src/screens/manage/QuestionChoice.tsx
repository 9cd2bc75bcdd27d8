import { useId } from "react";
import { questionText, suitableKind, type MediaOffer } from "./mediaFormats";
import "./exportQuestion.css";

/** MOTChallenge, RTTM, WebVTT, SRT: the one question the file holds, under the format's
 * choice. With several that suit, a select (passed as `question=`; `disabled` while an import
 * runs); with one, a note naming it. */
export function QuestionChoice({ offer, value, onChange, disabled = false }: { offer: MediaOffer; value: string; onChange: (name: string) => void; disabled?: boolean }) {
  const id = useId();
  const { format, questions } = offer;
  const [only] = questions;
  if (only && questions.length === 1)
    return (
      <p className="small export-question" data-export-question-note="">
        {format.label} holds one question: <strong>{questionText(only)}</strong>, the project&apos;s only {suitableKind(format.value, false)}.
      </p>
    );
  return (
    <div className="form-field export-question">
      <label htmlFor={`${id}-question`} className="form-label">
        Question
      </label>
      <select id={`${id}-question`} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} aria-describedby={`${id}-question-hint`} data-export-question="">
        {questions.map((q) => (
          <option key={q.name} value={q.name}>
            {questionText(q)}
          </option>
        ))}
      </select>
      <span id={`${id}-question-hint`} className="muted small">
        {format.label} holds one question; the project has {questions.length} {suitableKind(format.value, true)}.
      </span>
    </div>
  );
}
