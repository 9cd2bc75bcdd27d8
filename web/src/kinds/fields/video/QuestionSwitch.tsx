/**
 * Above a video that several questions draw on (tracks, per-frame shapes, events): which one
 * the frame and the timeline show, and a button per question to show another, with how many
 * tracks, objects or events its answer has. The same on the annotate, review and task pages:
 * a button activates its question (on the annotate and review screens that is the question's
 * card, as `j` / `k` / Tab do; on the task page, the answer shown). Keyboard: Tab to the
 * buttons, Enter or Space; ← → (Home, End) move along them and show that question at once.
 */
import { useRef, type KeyboardEvent } from "react";
import type { Json } from "../../../api/types";
import { titleOf, type QuestionSpec } from "../../../editor/interface";
import { eventsOf } from "../../questions/events/model";
import { objectsOf } from "../../questions/image/model";
import { tracksOf } from "../../questions/tracks/model";

interface Props {
  /** Every question drawing on this video, in the interface's order. */
  questions: QuestionSpec[];
  /** The one shown. */
  shown: QuestionSpec;
  valueOf: (question: QuestionSpec) => Json | undefined;
  show: (question: QuestionSpec) => void;
}

/** What a question's answer holds, in words ("3 tracks", "1 box", "2 events"). */
export function answerCount(question: QuestionSpec, value: Json | undefined): string {
  if (question.kind === "tracks") return plural(tracksOf(question.shape, value).length, "track");
  if (question.kind === "events") return plural(eventsOf(value).length, "event");
  const noun = { boxes: "box", polygons: "polygon", polylines: "polyline", points: "point", keypoints: "skeleton", masks: "mask" }[question.kind as string] ?? "object";
  return plural(objectsOf(value).length, noun);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : noun.endsWith("x") ? "es" : "s"}`;
}

export function VideoQuestionSwitch({ questions, shown, valueOf, show }: Props) {
  const bar = useRef<HTMLDivElement>(null);
  if (questions.length < 2) return null;
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const at = questions.findIndex((q) => q.name === shown.name);
    const last = questions.length - 1;
    const to = ({ ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: last } as Record<string, number>)[event.key];
    if (to === undefined || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    const next = questions[Math.max(0, Math.min(last, to))] as QuestionSpec;
    show(next);
    bar.current?.querySelector<HTMLButtonElement>(`[data-show-question="${CSS.escape(next.name)}"]`)?.focus();
  };
  return (
    <div ref={bar} className="video-question-switch" role="toolbar" aria-label="Question shown on the video" data-video-shown={shown.name} onKeyDown={onKeyDown}>
      <span className="muted small">Shown on the video:</span>
      {questions.map((q) => (
        <button key={q.name} type="button" aria-pressed={q.name === shown.name} onClick={() => show(q)} data-show-question={q.name}>
          {titleOf(q)} <span className="muted">({answerCount(q, valueOf(q))})</span>
        </button>
      ))}
    </div>
  );
}
