import { api, type Review, type ReviewWithChanges } from "../../api";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { summary } from "../answerSummary";
import { segmentChanges } from "./segmentDiff";
import "./review.css";

const DECIDED: Record<string, string> = { accept: "accepted", fix: "fixed and accepted", reject: "sent back" };

/** What reviewers said of an annotation, round by round (for its author and for reviewers). */
export function PastRounds({ annotationId }: { annotationId: number }) {
  const [state] = useLoad(() => api.annotations.reviews(annotationId), `reviews:${annotationId}`);
  if (state.status !== "ready") return null;
  const decided = state.value.filter((r) => r.state === "decided");
  if (decided.length === 0) return null;
  return (
    <ol className="review-rounds" aria-label="Earlier review rounds">
      {decided.map((round) => (
        <li key={round.id} data-round={round.round}>
          <RoundText round={round} />
        </li>
      ))}
    </ol>
  );
}

/** The latest decision on one's own annotation: why it came back, or what a reviewer fixed. */
export function ReviewFeedback({ annotationId }: { annotationId: number }) {
  const [state] = useLoad(() => api.annotations.reviews(annotationId), `reviews:${annotationId}`);
  if (state.status !== "ready") return null;
  const last = [...state.value].reverse().find((r) => r.state === "decided");
  if (!last) {
    return state.value.length ? <Notice tone="info">Waiting for review: you can still change it until a reviewer decides.</Notice> : null;
  }
  const tone = last.decision === "reject" ? "warning" : "info";
  return (
    <Notice tone={tone}>
      <RoundText round={last} />
      {last.decision === "reject" ? <p className="small">Change what they asked for and save: it goes back to review.</p> : null}
    </Notice>
  );
}

/** The checklist items a decision recorded as failed. */
export function FailedItems({ review }: { review: Review }) {
  if (!review.failed.length) return null;
  return (
    <p className="review-failed small">
      Failed:{" "}
      {review.failed.map((item, i) => (
        <span key={item.id} className={`severity-${item.severity}`}>
          {i ? " · " : ""}
          <span className="checklist-severity">{item.severity}</span> {item.text}
        </span>
      ))}
    </p>
  );
}

function RoundText({ round }: { round: ReviewWithChanges }) {
  const who = round.reviewer_name || "a reviewer";
  return (
    <div className="review-round" data-decision={round.decision ?? ""}>
      <strong>
        Round {round.round}: {DECIDED[round.decision ?? ""] ?? round.decision} by {who}
      </strong>
      {round.decided_at ? <span className="muted small"> · {new Date(round.decided_at).toLocaleString()}</span> : null}
      {round.comment ? <p className="review-comment">“{round.comment}”</p> : null}
      <FailedItems review={round} />
      {round.comments.length ? (
        <ul className="review-comments">
          {round.comments.map((c, i) => (
            <li key={i}>
              <strong>{c.question}</strong>
              {c.span ? <span className="muted small"> (characters {c.span.start}–{c.span.end})</span> : null}: {c.text}
            </li>
          ))}
        </ul>
      ) : null}
      {round.decision === "fix" && round.before && round.after ? (
        <ul className="review-diff" aria-label="What the reviewer changed">
          {round.changed.map((q) => {
            const segments = segmentChanges(round.before?.[q], round.after?.[q]);
            return (
              <li key={q} data-changed-question={q}>
                <del>{summary({ [q]: round.before?.[q] ?? null })}</del> → <ins>{summary({ [q]: round.after?.[q] ?? null })}</ins>
                {segments?.length ? (
                  <ul className="review-diff-segments">
                    {segments.map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
