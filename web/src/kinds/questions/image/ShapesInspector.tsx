/**
 * Beneath an image shown read only (the manager's task page, the answers compared in
 * adjudication): which shape question is drawn (when several target the image), how many
 * objects of each label it has, the selected object in words (label, geometry, score, flags,
 * attributes) and the list of objects, whose rows select. Nothing here edits.
 */
import { useMemo, useSyncExternalStore } from "react";
import type { Json } from "../../../api/types";
import { titleOf, type ShapeSpec } from "../../../editor/interface";
import { labelColour } from "../../palette";
import type { ImageEditor } from "./editor";
import { labelText, objectCounts, objectFacts } from "./inspect";
import { shapesOf } from "./model";
import { ObjectList } from "./ObjectList";
import "../../../styles/image-view.css";

interface Props {
  editor: ImageEditor;
  /** Every shape question on this image; `editor.question` is the one drawn. */
  questions: ShapeSpec[];
  valueOf: (question: ShapeSpec) => Json | undefined;
  show: (question: ShapeSpec) => void;
}

export function ShapesInspector({ editor, questions, valueOf, show }: Props) {
  const ui = useSyncExternalStore(editor.subscribe, editor.getUi);
  const question = editor.question;
  const value = valueOf(question);
  const shapes = useMemo(() => shapesOf(question.kind, value), [question.kind, value]);
  const selected = ui.selectedId === null ? null : (shapes.find((s) => s.id === ui.selectedId) ?? null);
  return (
    <div className="shapes-inspector" data-inspected-question={question.name}>
      {questions.length > 1 ? (
        <div className="shapes-inspector-questions" role="toolbar" aria-label="Question shown on the image">
          {questions.map((q) => (
            <button key={q.name} type="button" aria-pressed={q.name === question.name} onClick={() => show(q)} data-show-question={q.name}>
              {titleOf(q)} <span className="muted">({shapesOf(q.kind, valueOf(q)).length})</span>
            </button>
          ))}
        </div>
      ) : null}
      <p className="small" data-object-counts="">
        <strong>{titleOf(question)}</strong>: {objectCounts(question, shapes)}
      </p>
      {selected ? (
        <div className="shapes-inspector-selected small" data-selected-object={selected.id}>
          <span className="shape-swatch" style={{ background: labelColour(editor.labelIndex(selected.label)).fill, borderColor: labelColour(editor.labelIndex(selected.label)).edge }} />
          <strong>
            #{selected.id} {labelText(question, selected.label)}
          </strong>
          {objectFacts(question, selected).map((fact) => (
            <span key={fact} className="shapes-inspector-fact">
              {fact}
            </span>
          ))}
        </div>
      ) : shapes.length ? (
        <p className="muted small">Click an object (or its row, or press Tab on the image) to see its label, attributes and flags. Read only: nothing here changes the answer.</p>
      ) : null}
      {shapes.length ? <ObjectList editor={editor} shapes={shapes} selectedId={ui.selectedId} /> : null}
    </div>
  );
}
