import type { FieldProps } from "../types";
import type { TextListFieldSpec } from "../../editor/interface";
import { Markdown } from "./Markdown";

/** Items of a list; two items compared by a pairwise question show side by side as A and B. */
export function TextListField({ field, value, sideBySide }: FieldProps<TextListFieldSpec> & { sideBySide?: boolean }) {
  const items = Array.isArray(value) ? value.map((item) => (typeof item === "string" ? item : JSON.stringify(item))) : [];
  const pair = sideBySide && items.length === 2;
  return (
    <ol className={pair ? "text-list text-list-pair" : "text-list"}>
      {items.map((item, index) => (
        <li key={index} className="text-list-item">
          <span className="text-list-tag" aria-hidden="true">
            {pair ? (index === 0 ? "A" : "B") : index + 1}
          </span>
          <span className="visually-hidden">{pair ? (index === 0 ? "Response A" : "Response B") : `Item ${index + 1}`}</span>
          {field.markdown ? <Markdown source={item} /> : <div className="field-text">{item}</div>}
        </li>
      ))}
    </ol>
  );
}
