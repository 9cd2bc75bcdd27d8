/**
 * An events question's timeline under its video: one lane per label, each event a bar from
 * its start frame to its end frame (both included), the current frame as a cursor line.
 * Mouse: click an event to select it and go to its start; drag its edges to move its start or
 * end (snapped to frames; the player follows); drag along an empty stretch of a lane to make
 * an event of that label; click an empty stretch to go to that frame.
 */
import { useRef, useState, type PointerEvent } from "react";
import { optionText } from "../../../editor/interface";
import { labelColour } from "../../palette";
import { useUiState } from "../../uiState";
import type { EventsContext } from "./keys";
import { addEvent, frameAtX, frameText, moveEdge, toAnswer, type VideoEvent } from "./model";

type Drag = { kind: "edge"; id: string; edge: "start" | "end"; pointer: number } | { kind: "new"; label: string; from: number; to: number; pointer: number };

export function Timeline({ ctx, activate }: { ctx: EventsContext; activate: () => void }) {
  const { question, events, ui, frame: frameState, manifest } = ctx;
  const frame = useUiState(frameState);
  const state = useUiState(ui);
  const [drag, setDrag] = useState<Drag | null>(null);
  const [preview, setPreview] = useState<VideoEvent[] | null>(null);
  const previewRef = useRef<VideoEvent[] | null>(null);
  if (!manifest) return null;
  const frames = manifest.frames;
  const last = frames - 1;
  const times = manifest.times;
  const shown = preview ?? events;
  const at = (e: PointerEvent<HTMLElement>, track: HTMLElement) => {
    const rect = track.getBoundingClientRect();
    return frameAtX(e.clientX - rect.left, rect.width, frames);
  };
  const pct = (n: number) => `${(n / frames) * 100}%`;

  const onDown = (e: PointerEvent<HTMLDivElement>, label: string) => {
    if (e.button !== 0) return;
    activate();
    const track = e.currentTarget;
    // The keys ([, ], Delete, Tab...) then reach the player and this question's handler.
    track.closest<HTMLElement>(".video-player")?.focus({ preventScroll: true });
    const f = at(e, track);
    const target = e.target instanceof HTMLElement ? e.target : null;
    const edge = target?.closest<HTMLElement>("[data-edge]");
    const bar = target?.closest<HTMLElement>("[data-event-id]");
    track.setPointerCapture(e.pointerId);
    e.preventDefault();
    if (edge && bar) {
      const id = bar.dataset.eventId as string;
      ui.set({ ...ui.get(), selected: id });
      setDrag({ kind: "edge", id, edge: edge.dataset.edge === "start" ? "start" : "end", pointer: e.pointerId });
    } else if (bar) {
      const event = events.find((x) => x.id === bar.dataset.eventId);
      if (event) {
        ui.set({ ...ui.get(), selected: event.id });
        frameState.set(event.start);
      }
    } else {
      frameState.set(f);
      setDrag({ kind: "new", label, from: f, to: f, pointer: e.pointerId });
    }
  };

  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    const f = at(e, e.currentTarget);
    if (drag.kind === "edge") {
      const next = moveEdge(question, events, drag.id, drag.edge, f, last);
      const moved = next.find((x) => x.id === drag.id);
      if (moved) frameState.set(drag.edge === "start" ? moved.start : moved.end);
      previewRef.current = next;
      setPreview(next);
    } else if (f !== drag.to) {
      setDrag({ ...drag, to: f });
      frameState.set(f);
    }
  };

  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag || e.pointerId !== drag.pointer) return;
    if (drag.kind === "edge" && previewRef.current) ctx.onChange(toAnswer(previewRef.current));
    if (drag.kind === "new" && drag.to !== drag.from) {
      const edit = addEvent(question, events, drag.label, drag.from, drag.to);
      if ("error" in edit) ctx.announce(`not marked: ${edit.error}`);
      else {
        ctx.onChange(toAnswer(edit.events));
        ui.set({ ...ui.get(), selected: edit.made.id, mark: null });
      }
    }
    previewRef.current = null;
    setPreview(null);
    setDrag(null);
  };

  return (
    <div className="events-timeline" data-events-timeline={question.name} aria-label={`Events of ${question.label || question.name}`}>
      <div className="events-now muted small">
        {frameText(frame, times)}
        {state.mark !== null ? <span data-events-mark={state.mark}> · start marked at {frameText(state.mark, times)}</span> : null}
      </div>
      {question.labels.map((option, index) => {
        const colour = labelColour(index);
        const lane = shown.filter((x) => x.label === option.value);
        const ghost = drag?.kind === "new" && drag.label === option.value && drag.to !== drag.from ? drag : null;
        return (
          <div key={option.value} className="events-lane" data-lane={option.value}>
            <span className="events-lane-name" style={{ borderColor: colour.edge }}>
              {index < 9 ? <kbd>{index + 1}</kbd> : null} {optionText(option)}
            </span>
            <div className="events-track" data-track={option.value} onPointerDown={(e) => onDown(e, option.value)} onPointerMove={onMove} onPointerUp={onUp} onPointerCancel={onUp}>
              {lane.map((x) => (
                <div
                  key={x.id}
                  className={`events-bar${state.selected === x.id ? " selected" : ""}`}
                  data-event-id={x.id}
                  data-start={x.start}
                  data-end={x.end}
                  title={`${optionText(option)}: ${frameText(x.start, times)} to ${frameText(x.end, times)}`}
                  style={{ left: pct(x.start), width: pct(x.end - x.start + 1), background: colour.fill, borderColor: colour.edge }}
                >
                  <span className="events-edge start" data-edge="start" />
                  <span className="events-edge end" data-edge="end" />
                </div>
              ))}
              {ghost ? (
                <div className="events-bar ghost" style={{ left: pct(Math.min(ghost.from, ghost.to)), width: pct(Math.abs(ghost.to - ghost.from) + 1), borderColor: colour.edge }} />
              ) : null}
              <div className="events-cursor" style={{ left: pct(frame + 0.5) }} />
            </div>
          </div>
        );
      })}
    </div>
  );
}
