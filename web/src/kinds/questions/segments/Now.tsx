/** Where the playhead is, and the start marked with `[` (the only part of a segments or
 * transcript card that re-renders as the recording plays). */
import { clock } from "../../fields/audio/source";
import { useUiState } from "../../uiState";
import type { SegmentsContext } from "./keys";

export function Now({ ctx }: { ctx: SegmentsContext }) {
  const time = useUiState(ctx.link.time);
  const mark = ctx.ui.get().mark;
  return (
    <p className="muted small seg-now" data-segments-now>
      at {clock(time)}
      {mark !== null ? <span data-segments-mark={mark.toFixed(3)}> · start marked at {clock(mark)}</span> : null}
    </p>
  );
}
