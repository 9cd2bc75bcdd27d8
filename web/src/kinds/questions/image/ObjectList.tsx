/**
 * The objects of a shape answer as a list beside the image (only the rows in view are
 * drawn, so thousands of objects stay quick), and the selected object's details: label,
 * flags, z-order and attributes.
 */
import { useState } from "react";
import type { Json } from "../../../api/types";
import type { ShapeAttribute, ShapeSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import { labelColour } from "../../palette";
import { Kbd } from "../../../ui/Kbd";
import { CROSSING_TITLE, checksCrossings, shapeCrosses } from "./crossing";
import type { ImageEditor } from "./editor";
import type { Shape } from "./model";

const ROW = 26;

export function ObjectList({ editor, shapes, selectedId }: { editor: ImageEditor; shapes: readonly Shape[]; selectedId: string | null }) {
  const [top, setTop] = useState(0);
  const height = Math.min(260, shapes.length * ROW + 2);
  const first = Math.max(0, Math.floor(top / ROW) - 5);
  const last = Math.min(shapes.length, Math.ceil((top + 260) / ROW) + 5);
  const rows = [];
  const crossings = checksCrossings(editor.question);
  for (let i = first; i < last; i++) {
    const shape = shapes[i] as Shape;
    const on = shape.id === selectedId;
    const colour = labelColour(editor.labelIndex(shape.label));
    const flags = [typeof shape.raw.group === "number" ? `group ${shape.raw.group}` : "", shape.hidden ? "hidden" : "", shape.locked ? "locked" : "", shape.occluded ? "occluded" : "", shape.truncated ? "truncated" : ""].filter(Boolean).join(", ");
    rows.push(
      <div
        key={shape.id}
        role="option"
        aria-selected={on}
        className={`shape-row${on ? " shape-row-on" : ""}${editor.hiddenShape(shape) ? " shape-row-dim" : ""}`}
        style={{ top: i * ROW }}
        data-object-id={shape.id}
        onClick={() => {
          editor.select(shape.id);
          editor.reveal(shape);
        }}
      >
        <span className="shape-swatch" style={{ background: colour.fill, borderColor: colour.edge }} />
        <span>#{shape.id}</span>
        <span>{labelName(editor.question, shape.label)}</span>
        {shape.score !== null ? <span className="muted">{shape.score.toFixed(2)}</span> : null}
        {flags ? <span className="muted small">{flags}</span> : null}
        {crossings && shapeCrosses(shape) ? (
          <span className="shape-crossing" title={CROSSING_TITLE} data-crossing="">
            ⚠<span className="visually-hidden"> {CROSSING_TITLE}</span>
          </span>
        ) : null}
      </div>,
    );
  }
  if (shapes.length === 0) return <p className="muted small">No objects yet.</p>;
  return (
    <div className="shape-list" role="listbox" aria-label="Objects" style={{ height }} onScroll={(e) => setTop(e.currentTarget.scrollTop)}>
      <div style={{ height: shapes.length * ROW }}>{rows}</div>
    </div>
  );
}

export function labelName(question: ShapeSpec, value: string): string {
  const option = question.labels.find((o) => o.value === value);
  return option ? optionText(option) : value;
}

/** The selected object: its label, flags (with their keys), z-order and attributes. */
export function SelectedObject({ editor, shape }: { editor: ImageEditor; shape: Shape }) {
  const question = editor.question;
  const flag = (name: "occluded" | "truncated" | "hidden" | "locked", key: string) => (
    <label>
      <input type="checkbox" tabIndex={-1} checked={shape[name]} onChange={() => editor.toggle(name)} /> {name} <Kbd keys={key} />
    </label>
  );
  return (
    <div className="shape-selected" data-selected-object={shape.id}>
      <div className="shape-selected-head">
        <strong>#{shape.id}</strong>
        <select aria-label="Label" tabIndex={-1} value={shape.label} onChange={(e) => editor.relabel(question.labels.findIndex((o) => o.value === e.target.value))}>
          {question.labels.map((o) => (
            <option key={o.value} value={o.value}>
              {optionText(o)}
            </option>
          ))}
        </select>
        {shape.score !== null ? <span className="muted small">score {shape.score.toFixed(2)}</span> : null}
        <span className="muted small">
          z {shape.z} <Kbd keys="PgUp" />/<Kbd keys="PgDn" />
        </span>
        <span className="muted small" data-group={typeof shape.raw.group === "number" ? shape.raw.group : ""}>
          {typeof shape.raw.group === "number" ? `group ${shape.raw.group}` : "no group"} <Kbd keys="U" /> (<Kbd keys="Shift+U" /> new)
        </span>
        <button type="button" tabIndex={-1} className="button-quiet button-danger" onClick={() => editor.removeSelected()}>
          <kbd>Del</kbd> delete
        </button>
      </div>
      <div className="shape-flags">
        {flag("occluded", "O")}
        {flag("truncated", "T")}
        {flag("hidden", "H")}
        {flag("locked", "L")}
      </div>
      {question.attributes.map((attribute) => (
        <AttributeInput key={attribute.name} attribute={attribute} value={attributeValue(shape, attribute.name)} onChange={(value) => editor.setAttribute(attribute.name, value)} />
      ))}
    </div>
  );
}

function attributeValue(shape: Shape, name: string): Json | undefined {
  const attributes = shape.raw.attributes;
  return attributes && typeof attributes === "object" && !Array.isArray(attributes) ? attributes[name] : undefined;
}

export function AttributeInput({ attribute, value, onChange }: { attribute: ShapeAttribute; value: Json | undefined; onChange: (value: Json | undefined) => void }) {
  const title = `${attribute.label || attribute.name}${attribute.required ? " *" : ""}`;
  if (attribute.type === "choice") {
    return (
      <label className="shape-attribute">
        {title}
        <select value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || undefined)}>
          <option value="">—</option>
          {attribute.options.map((o) => (
            <option key={o.value} value={o.value}>
              {optionText(o)}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (attribute.type === "multi_choice") {
    const chosen = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    return (
      <fieldset className="shape-attribute">
        <legend>{title}</legend>
        {attribute.options.map((o) => (
          <label key={o.value}>
            <input
              type="checkbox"
              checked={chosen.includes(o.value)}
              onChange={(e) => onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))}
            />
            {optionText(o)}
          </label>
        ))}
      </fieldset>
    );
  }
  if (attribute.type === "number") {
    return (
      <label className="shape-attribute">
        {title}
        <input
          type="number"
          value={typeof value === "number" ? value : ""}
          min={attribute.min ?? undefined}
          max={attribute.max ?? undefined}
          onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
        />
      </label>
    );
  }
  return (
    <label className="shape-attribute">
      {title}
      <input type="text" maxLength={attribute.maxLength} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
