/**
 * A strip of segments over the waveform's visible window: the band over the waveform (every
 * segment, new ones take the chosen label) or one label's lane under it. Mouse: drag along an
 * empty stretch to make a segment; click an empty stretch to move the playhead there; click a
 * segment to select it and go to its start; drag its body to move it whole, its edges to move
 * its start or end (snapped to the millisecond; the playhead follows the edge).
 *
 * It re-renders when the segments, the window (zoom, scroll) or a drag's preview change, never
 * on playhead ticks: only `Cursor` follows the playhead, and each bar is a memoised component,
 * so a drag among 1,000 segments redraws the one that moves.
 */
import { memo, useContext, useRef, useState, type PointerEvent } from "react";
import { useUiState } from "../../uiState";
import { timeAtX, xOf, type AudioLink, type View } from "../../fields/audio/link";
import { clock, ms } from "../../fields/audio/source";
import { labelColour } from "../../palette";
import { WidgetContext } from "../../widgetShared";
import { commit, newFields, type SegmentsContext } from "./keys";
import { addSegment, moveEdge, moveWhole, type Segment } from "./model";

type Drag =
  | { kind: "edge"; id: string; edge: "start" | "end"; pointer: number }
  | { kind: "body"; id: string; offset: number; x: number; moved: boolean; pointer: number }
  | { kind: "new"; from: number; to: number; x: number; moved: boolean; pointer: number };

const DRAG_PX = 3;

interface TrackProps {
  ctx: SegmentsContext;
  /** Only this label's segments (a lane); null: all of them (the band over the waveform). */
  lane: string | null;
  /** The colour index of each label. */
  colourOf: (label: string) => number;
  /** The label name drawn in each bar (the band, when there are several labels). */
  showLabel: boolean;
  className: string;
  activate: () => void;
}

export function SegmentTrack({ ctx, lane, colourOf, showLabel, className, activate }: TrackProps) {
  const { link, segments, ui } = ctx;
  // Read only (a reviewed annotation): a click selects a segment or moves the playhead; no drag edits.
  const readOnly = useContext(WidgetContext).readOnly;
  const view = useUiState(link.view);
  const preview = useUiState(ctx.preview);
  const selected = useUiState(ui).selected;
  const [drag, setDrag] = useState<Drag | null>(null);
  const latest = useRef<Segment[] | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const duration = link.duration.get();
  const shown = (preview ?? segments).filter((s) => (lane === null || s.label === lane) && s.end >= view.start && s.start <= view.end);

  const at = (e: PointerEvent<HTMLElement>) => {
    const rect = (box.current as HTMLDivElement).getBoundingClientRect();
    return ms(timeAtX(e.clientX - rect.left, rect.width, link.view.get(), duration));
  };
  const setPreview = (next: Segment[] | null) => {
    latest.current = next;
    ctx.preview.set(next);
  };

  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    activate();
    e.currentTarget.closest<HTMLElement>(".audio-player")?.focus({ preventScroll: true });
    const t = at(e);
    const target = e.target instanceof HTMLElement ? e.target : null;
    const edge = target?.closest<HTMLElement>("[data-edge]");
    const bar = target?.closest<HTMLElement>("[data-segment-id]");
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
    if (bar) {
      const id = bar.dataset.segmentId as string;
      const s = segments.find((x) => x.id === id);
      if (!s) return;
      ui.set({ ...ui.get(), selected: id });
      if (readOnly) link.time.set(s.start);
      else if (edge) setDrag({ kind: "edge", id, edge: edge.dataset.edge === "start" ? "start" : "end", pointer: e.pointerId });
      else setDrag({ kind: "body", id, offset: t - s.start, x: e.clientX, moved: false, pointer: e.pointerId });
    } else {
      link.time.set(t);
      if (!readOnly) setDrag({ kind: "new", from: t, to: t, x: e.clientX, moved: false, pointer: e.pointerId });
    }
  };

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    const t = at(e);
    if (drag.kind === "edge") {
      const next = moveEdge(ctx.rules, segments, drag.id, drag.edge, t);
      const moved = next.find((x) => x.id === drag.id);
      if (moved) link.time.set(drag.edge === "start" ? moved.start : moved.end);
      setPreview(next);
    } else if (drag.kind === "body") {
      if (!drag.moved && Math.abs(e.clientX - drag.x) < DRAG_PX) return;
      if (!drag.moved) setDrag({ ...drag, moved: true });
      setPreview(moveWhole(ctx.rules, segments, drag.id, t - drag.offset));
    } else if (drag.moved || Math.abs(e.clientX - drag.x) >= DRAG_PX) {
      if (t !== drag.to || !drag.moved) setDrag({ ...drag, to: t, moved: true });
      link.time.set(t);
    }
  };

  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    if ((drag.kind === "edge" || (drag.kind === "body" && drag.moved)) && latest.current) commit(ctx, latest.current);
    if (drag.kind === "body" && !drag.moved) {
      const s = segments.find((x) => x.id === drag.id);
      if (s) link.time.set(s.start);
    }
    if (drag.kind === "new" && drag.moved && drag.to !== drag.from) {
      const fields = newFields(ctx, lane);
      const edit = addSegment(ctx.rules, segments, drag.from, drag.to, fields);
      if ("error" in edit) ctx.announce(`not marked: ${edit.error}`);
      else {
        commit(ctx, edit.segments);
        ui.set({ ...ui.get(), selected: edit.made.id, mark: null });
        ctx.focusText?.(edit.made.id);
      }
    }
    setPreview(null);
    setDrag(null);
  };

  const ghost = drag?.kind === "new" && drag.moved && drag.to !== drag.from ? drag : null;
  const mark = ui.get().mark;
  return (
    <div
      ref={box}
      className={className}
      data-segments-track={lane ?? ""}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
    >
      {shown.map((s) => {
        const colour = labelColour(colourOf(s.label));
        return (
          <Bar
            key={s.id}
            id={s.id}
            start={s.start}
            end={s.end}
            left={pct(xOf(s.start, view, 1))}
            width={pct(xOf(s.end, view, 1) - xOf(s.start, view, 1))}
            fill={colour.fill}
            edge={colour.edge}
            selected={s.id === selected}
            text={showLabel ? s.label : ""}
          />
        );
      })}
      {ghost ? (
        <div
          className="seg-bar ghost"
          style={{ left: pct(xOf(Math.min(ghost.from, ghost.to), view, 1)), width: pct(Math.abs(xOf(ghost.to, view, 1) - xOf(ghost.from, view, 1))) }}
        />
      ) : null}
      {mark !== null ? <div className="seg-cursor seg-mark" style={{ left: pct(xOf(mark, view, 1)), background: "#2b8a3e" }} /> : null}
      <Cursor link={link} view={view} />
    </div>
  );
}

const pct = (fraction: number) => `${fraction * 100}%`;

interface BarProps {
  id: string;
  start: number;
  end: number;
  left: string;
  width: string;
  fill: string;
  edge: string;
  selected: boolean;
  text: string;
}

const Bar = memo(function Bar({ id, start, end, left, width, fill, edge, selected, text }: BarProps) {
  return (
    <div
      className={`seg-bar${selected ? " selected" : ""}`}
      data-segment-id={id}
      data-start={start.toFixed(3)}
      data-end={end.toFixed(3)}
      title={`${text ? `${text}: ` : ""}${clock(start)} to ${clock(end)}`}
      style={{ left, width, background: fill, borderColor: edge }}
    >
      {text ? <span className="seg-bar-label">{text}</span> : null}
      <span className="seg-edge start" data-edge="start" />
      <span className="seg-edge end" data-edge="end" />
    </div>
  );
});

/** The playhead's line: the only part of a track that re-renders as the recording plays. */
function Cursor({ link, view }: { link: AudioLink; view: View }) {
  const time = useUiState(link.time);
  if (time < view.start || time > view.end) return null;
  return <div className="seg-cursor" style={{ left: pct(xOf(time, view, 1)) }} />;
}
