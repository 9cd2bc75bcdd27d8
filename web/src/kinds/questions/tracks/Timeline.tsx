/**
 * A tracks question's timeline under its video: one row per track, the frames where it is
 * present filled, the gaps (outside) empty, its keyframes as marks (hollow: outside), and the
 * current frame as a cursor across all rows. Mouse: a click on a row selects its track and
 * goes to the frame clicked; a click on a keyframe mark goes to that keyframe. Rows only
 * re-render when their track changes (not on every frame step).
 */
import { memo, useCallback, useRef, type PointerEvent } from "react";
import { optionText, type TracksSpec } from "../../../editor/interface";
import { labelColour } from "../../palette";
import { UiState, useUiState } from "../../uiState";
import { frameAtX } from "../events/model";
import { seek, selectTrack, type TracksContext } from "./keys";
import { presentRanges, type Track } from "./model";

/** `playing`: whether the player plays (then the head's frame number follows every HEAD_MS:
 * a change of its text is a layout of the page, at every frame). */
export function TracksTimeline({ ctx, activate, playing }: { ctx: TracksContext; activate: () => void; playing?: UiState<boolean> }) {
  const frame = useUiState(ctx.frame);
  const moving = useUiState(playing ?? NOT_PLAYING);
  const head = useRef({ frame: 0, at: -Infinity });
  const now = performance.now();
  if (!moving || now - head.current.at >= HEAD_MS) head.current = { frame, at: now };
  const headFrame = moving ? head.current.frame : frame;
  const ui = useUiState(ctx.ui);
  const { manifest, question, tracks } = ctx;
  // One function for every render, so that the rows (memo) do not re-render on each frame.
  const latest = useRef({ ctx, activate });
  latest.current = { ctx, activate };
  const onPick = useCallback((id: string, to: number) => {
    latest.current.activate();
    selectTrack(latest.current.ctx, id);
    seek(latest.current.ctx, to);
  }, []);
  if (!manifest) return null;
  const frames = manifest.frames;
  // The cursor moves by half a thousandth of the bar at least (a pixel or less): at 10,000
  // frames, one restyle every 5 frames of playback instead of every frame.
  const fraction = Math.round(((frame + 0.5) / frames) * 2000) / 2000;
  return (
    <div className="tracks-timeline" data-tracks-timeline={question.name} aria-label={`Tracks of ${question.label || question.name}`}>
      <div className="tracks-timeline-head muted small">
        frame {headFrame} · {tracks.length} track{tracks.length === 1 ? "" : "s"}
      </div>
      {tracks.length === 0 ? <p className="muted small">No tracks yet: draw one on the frame (or N).</p> : null}
      <div className="tracks-rows">
        {tracks.map((track) => (
          <Row key={track.id} track={track} question={question} frames={frames} selected={ui.selected === track.id} onPick={onPick} />
        ))}
        {/* The cursor's place is set on the cursor alone: on the rows, it restyled every row and keyframe at each frame. */}
        {tracks.length ? <div className="tracks-cursor" aria-hidden="true" style={{ ["--cursor-fraction" as string]: String(frames > 2000 ? fraction : (frame + 0.5) / frames) }} /> : null}
      </div>
    </div>
  );
}

const HEAD_MS = 250;
const NOT_PLAYING = new UiState(false);

interface RowProps {
  track: Track;
  question: TracksSpec;
  frames: number;
  selected: boolean;
  onPick: (id: string, frame: number) => void;
}

const Row = memo(function Row({ track, question, frames, selected, onPick }: RowProps) {
  const index = question.labels.findIndex((o) => o.value === track.label);
  const option = question.labels[index];
  const colour = labelColour(index);
  const pct = (n: number) => `${(n / frames) * 100}%`;
  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const mark = e.target instanceof HTMLElement ? e.target.closest<HTMLElement>("[data-keyframe]") : null;
    const rect = e.currentTarget.getBoundingClientRect();
    onPick(track.id, mark ? Number(mark.dataset.keyframe) : frameAtX(e.clientX - rect.left, rect.width, frames));
  };
  return (
    <div className={`tracks-row${selected ? " selected" : ""}`} data-track-row={track.id}>
      <span className="tracks-row-name" style={{ borderColor: colour.edge }} title={`${track.id}: ${option ? optionText(option) : track.label}`}>
        {track.id} · {option ? optionText(option) : track.label}
      </span>
      <div className="tracks-bar" onPointerDown={onDown}>
        {presentRanges(track, frames - 1).map(([start, end]) => (
          <div key={start} className="tracks-present" data-range={`${start}-${end}`} style={{ left: pct(start), width: pct(end - start + 1), background: colour.fill, borderColor: colour.edge }} />
        ))}
        {track.keyframes.map((k) => (
          <span
            key={k.frame}
            className={`tracks-key${k.outside ? " outside" : ""}${k.occluded ? " occluded" : ""}`}
            data-keyframe={k.frame}
            title={`keyframe ${k.frame}${k.outside ? " (outside)" : k.occluded ? " (occluded)" : ""}`}
            style={{ left: pct(k.frame + 0.5), color: colour.edge }}
          />
        ))}
      </div>
    </div>
  );
});
