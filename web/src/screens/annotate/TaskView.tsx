import { useCallback, useMemo, useSyncExternalStore } from "react";
import type { JsonObject } from "../../api";
import { answerGap, isEmptyAnswer } from "../../editor/answers";
import { sameJson } from "../../editor/draft";
import type { PushOptions } from "../../editor/history";
import type { QuestionSpec } from "../../editor/interface";
import type { EditorStore } from "../../editor/store";
import { FieldView, QuestionWidget, WidgetContext, type Binding, type WidgetShared } from "../../kinds/registry";
import { QuestionFrame, type AnswerMark } from "./QuestionFrame";
import { ConsistencyNotes } from "./ConsistencyNotes";
import type { Json } from "../../api";

interface TaskViewProps {
  store: EditorStore;
  data: JsonObject;
  shared: WidgetShared;
  /** Shown at the top of the questions column (e.g. the task's id). */
  header?: React.ReactNode;
  /** A model's answers the task was pre-filled with: unchanged ones are marked "Suggested". */
  suggestion?: { result: JsonObject; by: string } | null;
}

/**
 * A task: its data on the left (fields), its questions on the right, bound to the editor store.
 * Read only (`shared.readOnly`, a reviewed annotation): the store refuses every change (it is
 * locked), and the questions' controls are disabled (one `<fieldset disabled>`) and look it; the
 * data column stays usable (reading, selecting text, playing media), its widgets honouring
 * `readOnly` themselves.
 */
export function TaskView({ store, data, shared, header, suggestion }: TaskViewProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const iface = store.iface;

  const bind = useCallback(
    (question: QuestionSpec): Binding => ({
      value: state.result[question.name],
      onChange: (value: Json | undefined, options?: PushOptions) => store.answer(question.name, value, options),
      active: state.active === question.name,
      activate: () => store.focus(question.name),
    }),
    [state.result, state.active, store],
  );
  const move = useCallback((delta: number) => store.focusBy(delta), [store]);
  const fields = useMemo(() => iface.fields, [iface]);

  return (
    <WidgetContext.Provider value={shared}>
      <div className="task-data" aria-label="Task">
        {fields.map((field) => (
          <FieldView key={field.name} field={field} data={data} iface={iface} bind={bind} />
        ))}
      </div>
      <div className={shared.readOnly ? "task-questions task-read-only" : "task-questions"} aria-label="Questions">
        <ReadOnlySet readOnly={shared.readOnly}>
          {header}
          {iface.questions.map((question, index) => {
            const binding = bind(question);
            return (
              <QuestionFrame
                key={question.name}
                question={question}
                index={index}
                active={binding.active}
                problems={state.serverProblems.filter((p) => p.path === `result.${question.name}` || p.path.startsWith(`result.${question.name}.`) || p.path.startsWith(`result.${question.name}[`))}
                mark={markOf(question, binding.value, data, suggestion ?? null)}
                onActivate={binding.activate}
                onMove={move}
              >
                <QuestionWidget question={question} value={binding.value} onChange={binding.onChange} data={data} fields={fields} active={binding.active} activate={binding.activate} />
              </QuestionFrame>
            );
          })}
          <ConsistencyNotes iface={iface} result={state.result} />
          {iface.questions.length === 0 ? <p className="muted">This project asks no questions: submit when you have read the task.</p> : null}
        </ReadOnlySet>
      </div>
    </WidgetContext.Provider>
  );
}

/** The questions, in a disabled fieldset when read only (it lays nothing out: `display: contents`). */
function ReadOnlySet({ readOnly, children }: { readOnly: boolean; children: React.ReactNode }) {
  if (!readOnly) return <>{children}</>;
  return (
    <fieldset className="read-only-set" disabled aria-label="Your answers, read only">
      {children}
    </fieldset>
  );
}

function markOf(question: QuestionSpec, value: Json | undefined, data: JsonObject, suggestion: { result: JsonObject; by: string } | null): AnswerMark {
  if (isEmptyAnswer(question, value)) return { kind: "empty" };
  if (suggestion && suggestion.result[question.name] !== undefined && sameJson(value, suggestion.result[question.name])) return { kind: "suggested", by: suggestion.by };
  const gap = answerGap(question, value, data);
  return gap ? { kind: "unfinished", ...gap } : { kind: "done" };
}
