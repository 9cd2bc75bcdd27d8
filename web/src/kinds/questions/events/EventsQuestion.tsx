/**
 * An `events` question: its card (labels with their keys, the events so far, the selected
 * event's label and attributes, the keys) and, under the video it targets, its timeline
 * (`EventsVideo`). Both share the player's frame (`PlayerLink`) and the question's UI state
 * through `WidgetShared`; every change of the answer goes through `onChange`, so undo and
 * redo (Ctrl+Z / Ctrl+Y) work as for every question.
 */
import { useContext, type KeyboardEvent } from "react";
import type { Json } from "../../../api/types";
import type { EventsSpec, FieldSpec } from "../../../editor/interface";
import { optionText, titleOf } from "../../../editor/interface";
import { Kbd } from "../../../ui/Kbd";
import { playerLink, type PlayerLink } from "../../fields/video/frames";
import { VideoPlayer } from "../../fields/video/VideoPlayer";
import { labelColour } from "../../palette";
import { isTypingTarget, keyLabel, type QuestionProps } from "../../types";
import { useUiState } from "../../uiState";
import { WidgetContext, type WidgetShared } from "../../widgetShared";
import { AttributeInput } from "../image/ObjectList";
import { eventsKey, initialEventsUi, type EventsContext, type EventsUi } from "./keys";
import { eventsOf, frameText, inOrder, relabel, setAttribute, toAnswer } from "./model";
import { Timeline } from "./Timeline";
import "../../../styles/events.css";

/** The link of the player of video field `field` (one per field and task). */
export function linkOf(shared: WidgetShared, field: string): PlayerLink {
  const made = shared.get<PlayerLink | null>(`video-link:${field}`, null);
  let link = made.get();
  if (!link) {
    link = playerLink();
    made.set(link);
  }
  return link;
}

function useEventsContext(question: EventsSpec, value: Json | undefined, onChange: EventsContext["onChange"]): EventsContext {
  const shared = useContext(WidgetContext);
  const link = linkOf(shared, question.target);
  const manifest = useUiState(link.manifest);
  const ui = shared.get<EventsUi>(`events:${question.name}`, initialEventsUi);
  useUiState(ui);
  return { question, events: eventsOf(value), ui, frame: link.frame, manifest, onChange, announce: shared.announce };
}

export function EventsQuestion({ question, value, onChange, active }: QuestionProps<EventsSpec>) {
  const ctx = useEventsContext(question, value, onChange);
  const { events, ui, manifest } = ctx;
  const state = ui.get();
  const times = manifest?.times ?? [];
  const selected = events.find((e) => e.id === state.selected) ?? null;
  const frame = useUiState(ctx.frame);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTypingTarget(event.target)) return;
    if (!eventsKey(ctx, event, true)) return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div className="events-card" tabIndex={-1} data-keys="" onKeyDown={onKeyDown}>
      <div className="span-labels" role="toolbar" aria-label="Labels">
        {question.labels.map((option, index) => {
          const colour = labelColour(index);
          const key = keyLabel(index);
          return (
            <button
              key={option.value}
              type="button"
              tabIndex={-1}
              className={`span-label-button${state.label === index ? " chosen" : ""}`}
              aria-pressed={state.label === index}
              style={{ background: colour.fill, borderColor: colour.edge }}
              onClick={() => ui.set({ ...ui.get(), label: index })}
              title={option.hint || undefined}
            >
              {key && index < 9 ? <kbd>{key}</kbd> : null} {optionText(option)}
            </button>
          );
        })}
      </div>
      <p className="muted small" data-events-now>
        {frameText(frame, times)}
        {state.mark !== null ? ` · start marked at frame ${state.mark}` : ""}
      </p>
      {events.length === 0 ? (
        <p className="muted small">No events yet.</p>
      ) : (
        <ol className="events-list">
          {inOrder(events).map((e) => (
            <li key={e.id} data-event-row={e.id} className={e.id === state.selected ? "selected" : ""}>
              <button
                type="button"
                tabIndex={-1}
                className="button-quiet"
                onClick={() => {
                  ui.set({ ...ui.get(), selected: e.id });
                  ctx.frame.set(e.start);
                }}
              >
                {labelText(question, e.label)}: {frameText(e.start, times)} → {frameText(e.end, times)}
              </button>
            </li>
          ))}
        </ol>
      )}
      {selected ? (
        <div className="shape-selected" data-selected-event={selected.id}>
          <select
            aria-label="Label of the selected event"
            tabIndex={-1}
            value={selected.label}
            onChange={(e) => {
              const edit = relabel(question, events, selected.id, e.target.value);
              if ("error" in edit) ctx.announce(`not relabelled: ${edit.error}`);
              else onChange(toAnswer(edit.events));
            }}
          >
            {question.labels.map((o) => (
              <option key={o.value} value={o.value}>
                {optionText(o)}
              </option>
            ))}
          </select>
          {question.attributes.map((attribute) => (
            <AttributeInput
              key={attribute.name}
              attribute={attribute}
              value={selected.attributes?.[attribute.name]}
              onChange={(v) => onChange(toAnswer(setAttribute(events, selected.id, attribute.name, v)), { coalesce: `events:${question.name}:${selected.id}:${attribute.name}` })}
            />
          ))}
        </div>
      ) : null}
      {active ? (
        <p className="muted small keys-help">
          <Kbd keys="[" /> start · <Kbd keys="]" /> end · <Kbd keys="1" />–<Kbd keys="9" /> label · <Kbd keys="," /> <Kbd keys="." /> step · <Kbd keys="Tab" /> next event ·{" "}
          <Kbd keys="Enter" /> go to its start · <Kbd keys="Del" /> delete · <Kbd keys="Z" /> / <Kbd keys="Shift+Z" /> zoom the timeline (Ctrl+wheel) · drag on a lane to mark, drag an edge to move it
        </p>
      ) : null}
    </div>
  );
}

function labelText(question: EventsSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

interface Bound {
  value: Json | undefined;
  onChange: EventsContext["onChange"];
  active: boolean;
  activate: () => void;
}

/** A video field with an events question on it: the player, and the question's timeline
 * under it (the active events question's, else the first's). */
export function EventsVideo({ field, value, questions, bind }: { field: FieldSpec; value: Json | undefined; questions: EventsSpec[]; bind: (q: EventsSpec) => Bound }) {
  const shared = useContext(WidgetContext);
  const link = linkOf(shared, field.name);
  const owner = questions.find((q) => bind(q).active) ?? questions[0];
  if (!owner) return <VideoPlayer field={field} value={value} link={link} />;
  return <OwnedVideo key={owner.name} field={field} value={value} question={owner} binding={bind(owner)} link={link} />;
}

function OwnedVideo({ field, value, question, binding, link }: { field: FieldSpec; value: Json | undefined; question: EventsSpec; binding: Bound; link: PlayerLink }) {
  const ctx = useEventsContext(question, binding.value, binding.onChange);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.defaultPrevented || isTypingTarget(event.target)) return;
    if (!eventsKey(ctx, event, false)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  return (
    <div className="events-video" onKeyDown={onKeyDown} aria-label={`${titleOf(field)} with the events of ${titleOf(question)}`}>
      <VideoPlayer field={field} value={value} link={link} below={<Timeline ctx={ctx} activate={binding.activate} />} />
    </div>
  );
}

