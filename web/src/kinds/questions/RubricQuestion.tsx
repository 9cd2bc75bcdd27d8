import { useState, type KeyboardEvent } from "react";
import type { Criterion, RubricSpec } from "../../editor/interface";
import { titleOf } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, type QuestionProps } from "../types";
import type { Json, JsonObject } from "../../api/types";

/** The weighted score in [0, 1] of the criteria judged so far (as the server computes it). */
export function weightedScore(criteria: Criterion[], judged: JsonObject): number | null {
  let total = 0;
  let weights = 0;
  for (const c of criteria) {
    const v = judged[c.name];
    if (v === undefined) return null;
    const share = c.type === "pass_fail" ? (v === true ? 1 : 0) : typeof v === "number" ? (v - c.min) / (c.max - c.min) : 0;
    total += c.weight * share;
    weights += c.weight;
  }
  return weights ? total / weights : null;
}

/**
 * `{"criteria": {name: true|false|score}, "comment"?: "..."}`. ↑/↓ move the highlight to a
 * criterion; pass/fail takes 1 (pass) or 2 (fail), a score takes its number; ←/→ step a
 * score. The highlight stays where it is after a verdict (only ↑/↓ and clicks move it), so
 * `1 ↓ 4 ↓` judges the first criterion, then the second, as the cheat sheet says.
 */
export function RubricQuestion({ question, value, onChange, active }: QuestionProps<RubricSpec>) {
  const judged: JsonObject = isObject(value) && isObject(value.criteria) ? value.criteria : {};
  const comment = isObject(value) && typeof value.comment === "string" ? value.comment : "";
  const [focus, setFocus] = useState(0);
  const score = weightedScore(question.criteria, judged);
  const judgedCount = question.criteria.filter((c) => judged[c.name] !== undefined).length;

  function emit(nextJudged: JsonObject, nextComment: string, coalesce?: string): void {
    const empty = Object.keys(nextJudged).length === 0 && nextComment === "";
    const answer: JsonObject = { criteria: nextJudged };
    if (nextComment !== "") answer.comment = nextComment;
    onChange(empty ? undefined : answer, coalesce ? { coalesce } : {});
  }

  function judge(criterion: Criterion, verdict: Json | undefined): void {
    const next = { ...judged };
    if (verdict === undefined) delete next[criterion.name];
    else next[criterion.name] = verdict;
    emit(next, comment);
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    const criterion = question.criteria[focus];
    if (!criterion) return;
    const current = judged[criterion.name];
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      setFocus(Math.max(0, Math.min(question.criteria.length - 1, focus + (event.key === "ArrowDown" ? 1 : -1))));
    } else if ((event.key === "ArrowRight" || event.key === "ArrowLeft") && criterion.type === "score") {
      const step = event.key === "ArrowRight" ? 1 : -1;
      const base = typeof current === "number" ? current + step : step > 0 ? criterion.min : criterion.max;
      judge(criterion, Math.max(criterion.min, Math.min(criterion.max, base)));
    } else if (event.key === "Backspace" || event.key === "Delete") {
      judge(criterion, undefined);
    } else {
      const digit = digitOf(event);
      if (digit === null) return;
      if (criterion.type === "pass_fail") {
        if (digit > 2) return;
        judge(criterion, digit === 1);
      } else {
        const wanted = digit === 10 ? 0 : digit;
        if (wanted < criterion.min || wanted > criterion.max) return;
        judge(criterion, wanted);
      }
    }
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <div className="rubric" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <ul className="rubric-list">
        {question.criteria.map((criterion, index) => (
          <li
            key={criterion.name}
            className={`rubric-row${active && index === focus ? " rubric-row-focus" : ""}${judgedCount > 0 && judged[criterion.name] === undefined ? " rubric-row-open" : ""}`}
            data-criterion={criterion.name}
            onClick={() => setFocus(index)}
          >
            <div className="rubric-what">
              <span className="rubric-name">{titleOf(criterion)}</span>
              <span className="rubric-weight muted small" title="Weight in the overall score">
                ×{criterion.weight}
              </span>
              {active && index === focus ? <span className="rubric-keys small"> · keys here</span> : null}
              {criterion.description ? <div className="muted small">{criterion.description}</div> : null}
            </div>
            <CriterionControl criterion={criterion} verdict={judged[criterion.name]} onJudge={(v) => judge(criterion, v)} />
          </li>
        ))}
      </ul>
      <label className="rubric-comment">
        <span className="small muted">Comment (optional)</span>
        <textarea
          rows={2}
          value={comment}
          onChange={(event) => emit(judged, event.target.value, `rubric-comment:${question.name}`)}
          onKeyDown={(event) => {
            if (event.key === "Escape") (event.currentTarget.closest("[data-question]") as HTMLElement | null)?.focus();
          }}
        />
      </label>
      <p className="small">
        {judgedCount} of {question.criteria.length} criteria judged · weighted score: <strong>{score === null ? "—" : score.toFixed(2)}</strong>
      </p>
      <p className="small muted keys-hint">
        <kbd>↑</kbd>/<kbd>↓</kbd> choose the criterion; pass <kbd>1</kbd>, fail <kbd>2</kbd>, a score by its number or <kbd>←</kbd>/<kbd>→</kbd>. The highlight stays on
        that criterion until you press <kbd>↓</kbd>.
      </p>
    </div>
  );
}

function CriterionControl({ criterion, verdict, onJudge }: { criterion: Criterion; verdict: Json | undefined; onJudge: (v: Json) => void }) {
  if (criterion.type === "pass_fail") {
    return (
      <div className="rubric-control" role="radiogroup" aria-label={titleOf(criterion)}>
        <button type="button" tabIndex={-1} role="radio" aria-checked={verdict === true} className={verdict === true ? "option option-small option-pass" : "option option-small"} onClick={() => onJudge(true)}>
          Pass
        </button>
        <button type="button" tabIndex={-1} role="radio" aria-checked={verdict === false} className={verdict === false ? "option option-small option-fail" : "option option-small"} onClick={() => onJudge(false)}>
          Fail
        </button>
      </div>
    );
  }
  const scores = Array.from({ length: Math.min(21, criterion.max - criterion.min + 1) }, (_, i) => criterion.min + i);
  return (
    <div className="rubric-control" role="radiogroup" aria-label={titleOf(criterion)}>
      {scores.map((s) => (
        <button key={s} type="button" tabIndex={-1} role="radio" aria-checked={verdict === s} className={verdict === s ? "option option-small option-on" : "option option-small"} onClick={() => onJudge(s)}>
          {s}
        </button>
      ))}
    </div>
  );
}
