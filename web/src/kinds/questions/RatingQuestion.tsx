import type { KeyboardEvent } from "react";
import type { RatingSpec } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, type QuestionProps } from "../types";

/** The ratings a scale offers, and how each is written (labels are keyed this way). */
export function ratingsOf(question: RatingSpec): number[] {
  const count = Math.round((question.max - question.min) / question.step);
  const out: number[] = [];
  for (let i = 0; i <= count && i <= 1000; i++) out.push(Number((question.min + i * question.step).toFixed(10)));
  return out;
}

/** `{"rating": n}`: stars or a numbered scale; ←/→ move, number keys pick when they fit. */
export function RatingQuestion({ question, value, onChange }: QuestionProps<RatingSpec>) {
  const ratings = ratingsOf(question);
  const current = isObject(value) && typeof value.rating === "number" ? value.rating : null;
  const at = current === null ? -1 : ratings.findIndex((r) => Math.abs(r - current) < 1e-9);

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    let next: number | undefined;
    if (event.key === "ArrowRight" || event.key === "ArrowUp") next = ratings[Math.min(ratings.length - 1, at + 1)];
    else if (event.key === "ArrowLeft" || event.key === "ArrowDown") next = ratings[Math.max(0, at - 1)];
    else if (event.key === "Backspace" || event.key === "Delete") {
      event.preventDefault();
      onChange(undefined);
      return;
    } else {
      const digit = digitOf(event);
      if (digit !== null) next = byDigit(ratings, digit);
    }
    if (next !== undefined) {
      event.preventDefault();
      onChange({ rating: next });
    }
  }

  const caption = current !== null ? question.labels[String(current)] : undefined;
  const stars = question.style === "stars";
  return (
    <div className="rating" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      <div className={stars ? "rating-stars" : "rating-scale"} role="radiogroup" aria-label={question.label || question.name}>
        {ratings.map((rating, index) => {
          const on = stars ? index <= at : index === at;
          const label = question.labels[String(rating)];
          return (
            <button
              key={rating}
              type="button"
              role="radio"
              aria-checked={index === at}
              aria-label={`${rating}${label ? ` (${label})` : ""}`}
              title={label ?? String(rating)}
              tabIndex={-1}
              className={on ? "rating-item rating-on" : "rating-item"}
              onClick={() => onChange({ rating })}
            >
              {stars ? <span aria-hidden="true">★</span> : rating}
            </button>
          );
        })}
      </div>
      <div className="rating-caption muted small">
        {current !== null ? (
          <>
            <strong>{current}</strong>
            {caption ? ` · ${caption}` : ""}
          </>
        ) : (
          ends(question)
        )}
      </div>
    </div>
  );
}

function ends(question: RatingSpec): string {
  const low = question.labels[String(question.min)];
  const high = question.labels[String(question.max)];
  return `${question.min}${low ? ` ${low}` : ""} … ${question.max}${high ? ` ${high}` : ""}`;
}

/** A number key's rating: the digit itself when it is on the scale, else the digit-th rating. */
function byDigit(ratings: number[], digit: number): number | undefined {
  if (ratings.includes(digit)) return digit;
  if (digit === 10 && ratings.includes(0)) return 0;
  return ratings[0] === 0 ? undefined : ratings[digit - 1];
}
