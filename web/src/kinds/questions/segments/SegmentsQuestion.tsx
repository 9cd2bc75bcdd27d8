/**
 * A `segments` question's card: the labels (keys 1–9) and speakers (Shift+1–9), where the
 * playhead is, the segments so far (click one to select it and go there), the selected one's
 * label, speaker, attributes and exact times (typed to the millisecond), what the server would
 * refuse (overlaps, too short, no speaker) before submitting, and the keys. Its segments are
 * drawn and edited on the audio field (`SegmentsAudio`); both share the player's playhead.
 */
import { memo, type KeyboardEvent } from "react";
import type { SegmentsSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import { Kbd } from "../../../ui/Kbd";
import { clock } from "../../fields/audio/source";
import { labelColour } from "../../palette";
import { isTypingTarget, keyLabel, type QuestionProps } from "../../types";
import { AttributeInput } from "../image/ObjectList";
import { useSegmentsContext } from "./context";
import { commit, segmentsKey, type SegmentsContext } from "./keys";
import { inOrder, moveEdge, segmentProblems, setAttribute, toAnswer, update, type Segment } from "./model";
import { Now } from "./Now";
import "../../../styles/audio.css";

export function SegmentsQuestion({ question, value, onChange, active }: QuestionProps<SegmentsSpec>) {
  const ctx = useSegmentsContext(question, value, onChange);
  const { segments, ui } = ctx;
  const state = ui.get();
  const selected = segments.find((s) => s.id === state.selected) ?? null;
  const problems = segmentProblems({ ...ctx.rules, speakerRequired: question.speakerRequired }, segments);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTypingTarget(event.target)) return;
    if (!segmentsKey(ctx, event, true)) return;
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <div className="segments-card" tabIndex={-1} data-keys="" onKeyDown={onKeyDown} data-segments-card={question.name}>
      <Choices
        title="Labels"
        options={question.labels}
        chosen={state.label}
        shift={false}
        onPick={(index) => ui.set({ ...ui.get(), label: index })}
      />
      {question.speakers ? (
        <Choices
          title="Speakers"
          options={question.speakers}
          chosen={state.speaker}
          shift
          onPick={(index) => {
            ui.set({ ...ui.get(), speaker: index });
            const option = question.speakers?.[index];
            const id = ui.get().selected;
            if (id && option) {
              const edit = update(ctx.rules, segments, id, { speaker: option.value });
              if (!("error" in edit)) commit(ctx, edit.segments);
            }
          }}
        />
      ) : null}
      <Now ctx={ctx} />
      {segments.length === 0 ? (
        <p className="muted small">No segments yet.</p>
      ) : (
        <ol className="seg-list" data-segments-list>
          {inOrder(segments).map((s) => (
            <Row key={s.id} segment={s} text={labelText(question, s.label)} selected={s.id === state.selected} pick={(id) => pick(ctx, id)} />
          ))}
        </ol>
      )}
      {selected ? <Selected ctx={ctx} question={question} selected={selected} /> : null}
      {problems.length ? (
        <ul className="seg-problems" role="alert" data-segments-problems>
          {problems.slice(0, 10).map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <span className="problem-path">{p.path}</span> {p.message}
            </li>
          ))}
          {problems.length > 10 ? <li>and {problems.length - 10} more</li> : null}
        </ul>
      ) : null}
      {active ? (
        <p className="muted small keys-help">
          <Kbd keys="[" /> start · <Kbd keys="]" /> end · <Kbd keys="N" /> new at the playhead · <Kbd keys="/" /> split · <Kbd keys="{" /> <Kbd keys="}" /> move
          the selected start / end here · <Kbd keys="1" />–<Kbd keys="9" /> label
          {question.speakers ? (
            <>
              {" "}
              · <Kbd keys="Shift+1" />–<Kbd keys="9" /> speaker
            </>
          ) : null}{" "}
          · <Kbd keys="Tab" /> next · <Kbd keys="P" /> play it · <Kbd keys="Del" /> delete · <Kbd keys="Space" /> play · <Kbd keys="←" /> <Kbd keys="→" /> 1 s (Shift 0.1 s) · drag
          on the waveform or a lane to mark, drag an edge to move it
        </p>
      ) : null}
    </div>
  );
}

function pick(ctx: SegmentsContext, id: string): void {
  const s = ctx.segments.find((x) => x.id === id);
  ctx.ui.set({ ...ctx.ui.get(), selected: id });
  if (s) ctx.link.time.set(s.start);
}

function labelText(question: SegmentsSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

function Choices({ title, options, chosen, shift, onPick }: { title: string; options: SegmentsSpec["labels"]; chosen: number | null; shift: boolean; onPick: (index: number) => void }) {
  return (
    <div className="span-labels" role="toolbar" aria-label={title}>
      {options.map((option, index) => {
        const colour = labelColour(index);
        const key = keyLabel(index);
        return (
          <button
            key={option.value}
            type="button"
            tabIndex={-1}
            className={`span-label-button${chosen === index ? " chosen" : ""}`}
            aria-pressed={chosen === index}
            style={shift ? undefined : { background: colour.fill, borderColor: colour.edge }}
            onClick={() => onPick(index)}
            title={option.hint || undefined}
          >
            {key && index < 9 ? <kbd>{shift ? `⇧${key}` : key}</kbd> : null} {optionText(option)}
          </button>
        );
      })}
    </div>
  );
}

const Row = memo(function Row({ segment, text, selected, pick }: { segment: Segment; text: string; selected: boolean; pick: (id: string) => void }) {
  return (
    <li data-segment-row={segment.id} className={selected ? "selected" : ""}>
      <button type="button" tabIndex={-1} className="button-quiet" onClick={() => pick(segment.id)}>
        {text}
        {segment.speaker ? ` (${segment.speaker})` : ""}: {clock(segment.start)} → {clock(segment.end)}
      </button>
    </li>
  );
});

function Selected({ ctx, question, selected }: { ctx: SegmentsContext; question: SegmentsSpec; selected: Segment }) {
  const { segments } = ctx;
  const change = (fields: Partial<Segment>) => {
    const edit = update(ctx.rules, segments, selected.id, fields);
    if ("error" in edit) ctx.announce(`not changed: ${edit.error}`);
    else commit(ctx, edit.segments);
  };
  const time = (edge: "start" | "end") => (
    <label className="seg-time-input">
      {edge === "start" ? "Start" : "End"}{" "}
      <input
        type="number"
        step={0.001}
        min={0}
        value={selected[edge]}
        aria-label={`${edge === "start" ? "Start" : "End"} of the selected segment (seconds)`}
        onChange={(e) => {
          const t = Number(e.currentTarget.value);
          if (e.currentTarget.value.trim() !== "" && Number.isFinite(t)) commit(ctx, moveEdge(ctx.rules, segments, selected.id, edge, t));
        }}
      />
    </label>
  );
  return (
    <div className="shape-selected" data-selected-segment={selected.id}>
      <select aria-label="Label of the selected segment" value={selected.label} onChange={(e) => change({ label: e.target.value })}>
        {question.labels.map((o) => (
          <option key={o.value} value={o.value}>
            {optionText(o)}
          </option>
        ))}
      </select>
      {question.speakers ? (
        <select aria-label="Speaker of the selected segment" value={selected.speaker ?? ""} onChange={(e) => change({ speaker: e.target.value || null })}>
          <option value="">{question.speakerRequired ? "— choose —" : "no speaker"}</option>
          {question.speakers.map((o) => (
            <option key={o.value} value={o.value}>
              {optionText(o)}
            </option>
          ))}
        </select>
      ) : null}
      {time("start")} {time("end")}
      {question.attributes.map((attribute) => (
        <AttributeInput
          key={attribute.name}
          attribute={attribute}
          value={selected.attributes?.[attribute.name]}
          onChange={(v) => ctx.onChange(toAnswer(setAttribute(segments, selected.id, attribute.name, v), "segments"), { coalesce: `segments:${question.name}:${selected.id}:${attribute.name}` })}
        />
      ))}
    </div>
  );
}
