/**
 * A `transcript` question's card: one row per segment (in time order) with its times, its
 * speaker and a text box, beside the recording's waveform (the segments are drawn and edited
 * there too: `SegmentsAudio`). The row playing is highlighted as the audio plays (rows re-render
 * only when the playing segment changes); each text is checked by the question's text rules and
 * declared checks as it is typed, as a `text` question's is (✗ blocks the submit, ⚠ warns; the
 * selected row lists every declared check's state), with the server's verdicts.
 *
 * Keys in a text box: Enter / Shift+Enter the next / previous segment's box, Ctrl+Space play /
 * pause, Esc back to the card. In the card (and on the player): the segments keys (keys.ts),
 * N a new segment at the playhead, `/` split at the playhead, Enter into the selected box.
 */
import { memo, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useSyncExternalStore, type KeyboardEvent, type RefObject } from "react";
import type { TranscriptSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import { compileRules, type RuleCheck } from "../../../editor/textRules";
import { Kbd } from "../../../ui/Kbd";
import { useDerived } from "../../fields/audio/link";
import { clock, ms } from "../../fields/audio/source";
import { isTypingTarget, keyLabel, type QuestionProps } from "../../types";
import { WidgetContext } from "../../widgetShared";
import { focusSlot, useSegmentsContext } from "../segments/context";
import { commit, newAtPlayhead, segmentsKey, split, type SegmentsContext } from "../segments/keys";
import { inOrder, segmentAt, segmentProblems, toAnswer, update, type Segment } from "../segments/model";
import { segmentTextProblem, segmentTextWarnings, textSpecOf } from "./textCheck";
import { CheckList } from "../CheckList";
import { activeServerChecks } from "../../../editor/serverChecks";
import { needsServer } from "../../../editor/checks";
import { Now } from "../segments/Now";
import "../../../styles/audio.css";

export function TranscriptQuestion({ question, value, onChange, active }: QuestionProps<TranscriptSpec>) {
  const ctx = useSegmentsContext(question, value, onChange);
  const shared = useContext(WidgetContext);
  const root = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const { segments, ui, link } = ctx;
  const state = ui.get();
  const ordered = useMemo(() => inOrder(segments), [segments]);
  const current = useDerived(link.time, (t) => segmentAt(ordered, t));
  const rules = useMemo(() => compileRules(question.rules), [question.rules]);
  const spec = useMemo(() => textSpecOf(question), [question]);
  const problems = segmentProblems({ ...ctx.rules, speakerRequired: question.speakerRequired }, segments);

  // How the keys (and a new segment) put the keyboard in a segment's box: at once when its
  // row is there, else as the row is drawn (before the next key arrives: typing goes in it).
  const pendingFocus = useRef<string | null>(null);
  useEffect(() => {
    const slot = focusSlot(shared, question.name);
    slot.set(() => (id: string) => {
      const box = root.current?.querySelector<HTMLInputElement>(`[data-transcript-row="${CSS.escape(id)}"] input[type=text]`);
      if (box) box.focus();
      else pendingFocus.current = id;
    });
    return () => slot.set(null);
  }, [shared, question.name]);

  // Keep the playing row in view in the list (never scrolls the page).
  useEffect(() => {
    const box = list.current;
    const row = current ? box?.querySelector<HTMLElement>(`[data-transcript-row="${CSS.escape(current)}"]`) : null;
    if (!box || !row) return;
    if (row.offsetTop < box.scrollTop || row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = row.offsetTop - box.clientHeight / 3;
  }, [current]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (isTypingTarget(event.target)) return;
    if (!segmentsKey(ctx, event, true)) return;
    event.preventDefault();
    event.stopPropagation();
  };

  // The rows are memoised: their handlers read the latest context through this ref.
  const latest = useRef(ctx);
  latest.current = ctx;
  const move = useCallback((id: string, by: 1 | -1) => {
    const now = latest.current;
    const order = inOrder(now.segments);
    const next = order[order.findIndex((s) => s.id === id) + by];
    if (!next) return;
    now.ui.set({ ...now.ui.get(), selected: next.id });
    if (!now.link.playing.get()) now.link.time.set(next.start);
    now.focusText?.(next.id);
  }, []);

  return (
    <div ref={root} className="transcript-card" tabIndex={-1} data-keys="" onKeyDown={onKeyDown} data-transcript-card={question.name}>
      <div className="span-labels" role="toolbar" aria-label="Segments">
        <button type="button" tabIndex={-1} onClick={() => newAtPlayhead(ctx, ms(link.time.get()))} data-transcript-action="new">
          <Kbd keys="N" /> New segment at the playhead
        </button>
        <button type="button" tabIndex={-1} onClick={() => split(ctx, ms(link.time.get()))} data-transcript-action="split">
          <Kbd keys="/" /> Split at the playhead
        </button>
        {question.speakers?.map((option, index) => (
          <button
            key={option.value}
            type="button"
            tabIndex={-1}
            className={`span-label-button${state.speaker === index ? " chosen" : ""}`}
            aria-pressed={state.speaker === index}
            onClick={() => segmentsKey(ctx, { key: String(index + 1), code: `Digit${index + 1}`, shiftKey: true, ctrlKey: false, metaKey: false, altKey: false }, true)}
          >
            {keyLabel(index) && index < 9 ? <kbd>⇧{keyLabel(index)}</kbd> : null} {optionText(option)}
          </button>
        ))}
      </div>
      <Now ctx={ctx} />
      {segments.length === 0 ? (
        <p className="muted small">No segments yet: press N at the playhead, or drag on the waveform.</p>
      ) : (
        <ol ref={list} className="tr-rows" data-transcript-rows>
          {ordered.map((s) => (
            <Row key={s.id} latest={latest} pendingFocus={pendingFocus} question={question} segment={s} current={s.id === current} selected={s.id === state.selected} rules={rules} spec={spec} move={move} />
          ))}
        </ol>
      )}
      {problems.length ? (
        <ul className="seg-problems" role="alert" data-segments-problems>
          {problems.slice(0, 10).map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <span className="problem-path">{p.path}</span> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
      {active ? (
        <p className="muted small keys-help">
          In a text box: <Kbd keys="Enter" /> next segment · <Kbd keys="Shift+Enter" /> previous · <Kbd keys="Ctrl+Space" /> play / pause · <Kbd keys="Esc" /> leave the box. Out
          of it: <Kbd keys="N" /> new · <Kbd keys="/" /> split · <Kbd keys="[" /> <Kbd keys="]" /> mark · <Kbd keys="{" /> <Kbd keys="}" /> move the selected start / end ·{" "}
          <Kbd keys="Tab" /> next · <Kbd keys="Enter" /> type in it · <Kbd keys="P" /> play it · <Kbd keys="Del" /> delete · <Kbd keys="Space" /> play
        </p>
      ) : null}
    </div>
  );
}

const noSubscribe = (): (() => void) => () => {};
const zero = (): number => 0;

interface RowProps {
  latest: RefObject<SegmentsContext>;
  pendingFocus: RefObject<string | null>;
  question: TranscriptSpec;
  segment: Segment;
  current: boolean;
  selected: boolean;
  rules: RuleCheck[];
  spec: ReturnType<typeof textSpecOf>;
  move: (id: string, by: 1 | -1) => void;
}

const Row = memo(function Row({ latest, pendingFocus, question, segment, current, selected, rules, spec, move }: RowProps) {
    const engine = useContext(WidgetContext).rules;
    useSyncExternalStore(engine.subscribe, engine.getVersion);
    const server = activeServerChecks();
    useSyncExternalStore(server?.subscribe ?? noSubscribe, server?.getVersion ?? zero);
    const text = segment.text ?? "";
    useEffect(() => engine.request(rules, text), [engine, rules, text]);
    // The checks only the server runs (language, yaml/python blocks): asked once typing pauses.
    const asksServer = (spec.declared ?? []).some(needsServer);
    useEffect(() => {
      if (server && asksServer && text !== "") server.want(question.name, text, segment.id);
    }, [server, asksServer, question.name, text, segment.id]);
    const status = (check: RuleCheck) => engine.status(check, text);
    const problem = segmentTextProblem(spec, rules, text, status, segment.id);
    const warnings = problem ? [] : segmentTextWarnings(spec, rules, text, status, server, segment.id);
    const state = problem ? "block" : warnings.length ? "warn" : text ? "pass" : undefined;
    const id = `tr-${question.name}-${segment.id}`;
    const box = useRef<HTMLInputElement>(null);
    useLayoutEffect(() => {
      if (pendingFocus.current !== segment.id) return;
      pendingFocus.current = null;
      box.current?.focus();
    });
    const ctx = () => latest.current;
    const select = () => ctx().ui.set({ ...ctx().ui.get(), selected: segment.id });
    const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        move(segment.id, e.shiftKey ? -1 : 1);
      } else if (e.key === " " && e.ctrlKey) {
        e.preventDefault();
        ctx().link.control.get()?.toggle();
      } else if (e.key === "Escape") {
        e.preventDefault();
        (e.currentTarget.closest("[data-keys]") as HTMLElement | null)?.focus();
      }
    };
    return (
      <li className={`tr-row${current ? " current" : ""}${selected ? " selected" : ""}`} data-transcript-row={segment.id} data-current={current ? "true" : undefined} data-state={state}>
        <div className="tr-times">
          <button
            type="button"
            tabIndex={-1}
            className="button-quiet"
            title="Go to its start and play it"
            onClick={() => {
              select();
              ctx().link.control.get()?.playRange(segment.start, segment.end);
            }}
          >
            ▶ {clock(segment.start)} → {clock(segment.end)}
          </button>
          {question.speakers ? (
            <select
              aria-label={`Speaker of the segment at ${clock(segment.start)}`}
              tabIndex={-1}
              value={segment.speaker ?? ""}
              onChange={(e) => {
                const now = ctx();
                const edit = update(now.rules, now.segments, segment.id, { speaker: e.target.value || null });
                if (!("error" in edit)) commit(now, edit.segments);
              }}
            >
              <option value="">{question.speakerRequired ? "— speaker —" : "no speaker"}</option>
              {question.speakers.map((o) => (
                <option key={o.value} value={o.value}>
                  {optionText(o)}
                </option>
              ))}
            </select>
          ) : null}
        </div>
        <div className="tr-text">
          <input
            ref={box}
            id={id}
            type="text"
            value={text}
            spellCheck
            aria-label={`What is said from ${clock(segment.start)} to ${clock(segment.end)}`}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-status`}
            onFocus={() => {
              select();
              if (!ctx().link.playing.get()) ctx().link.time.set(segment.start);
            }}
            onChange={(e) => {
              const next = e.target.value;
              const now = ctx();
              const edit = update(now.rules, now.segments, segment.id, { text: next });
              if ("error" in edit) return;
              now.onChange(toAnswer(edit.segments, "transcript"), { coalesce: `transcript:${question.name}:${segment.id}`, endsWord: /[\s.,;:!?]$/.test(next) });
            }}
            onKeyDown={onKeyDown}
          />
          <div id={`${id}-status`} className="tr-status" aria-live="polite">
            {problem ? (
              <span className="text-problem">
                <span className="visually-hidden">blocks submit: </span>✗ {problem}
              </span>
            ) : warnings.length ? (
              <span className="text-warn" data-segment-warnings={warnings.length}>
                ⚠ {warnings.map((w) => (w.check === "rule" ? w.message : `${w.check}: ${w.message}`)).join(" · ")} (a warning: you can still submit)
              </span>
            ) : text ? (
              <span className="text-ok">✓</span>
            ) : null}
          </div>
          {selected && (spec.declared ?? []).length ? <CheckList question={question.name} checks={spec.declared ?? []} text={text} slot={segment.id} /> : null}
        </div>
      </li>
    );
});
