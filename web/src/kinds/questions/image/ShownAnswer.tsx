/**
 * A task's fields with one answer's marks, read only: the manager's task page shows an
 * annotation, a past version or a prediction this way, and adjudication each candidate answer
 * (its image fields). Images only pan, zoom and select (`WidgetShared.readOnly`); when several
 * shape questions target an image, one is drawn at a time (the inspector beneath switches) and
 * the others show faint. A new `result` redraws in place, keeping the zoom and the question.
 */
import { useMemo, useState } from "react";
import type { JsonObject } from "../../../api/types";
import type { FieldSpec, Interface, QuestionSpec } from "../../../editor/interface";
import { FieldView, WidgetContext, WidgetShared, type Binding } from "../../registry";
import { shapeQuestionsOf } from "./ImageFieldView";

interface Props {
  iface: Interface;
  data: JsonObject;
  result: JsonObject;
  /** Which fields to show (default: all of them). */
  fields?: FieldSpec[];
  className?: string;
}

export function ShownAnswer({ iface, data, result, fields, className }: Props) {
  const shared = useMemo(() => new WidgetShared(undefined, undefined, null, true), []);
  const [active, setActive] = useState<string | null>(null);
  const bind = (question: QuestionSpec): Binding => ({
    value: result[question.name],
    onChange: () => {},
    active: active === question.name,
    activate: () => setActive(question.name),
  });
  return (
    <WidgetContext.Provider value={shared}>
      <div className={className}>
        {(fields ?? iface.fields).map((field) => (
          <FieldView key={field.name} field={field} data={data} iface={iface} bind={bind} />
        ))}
      </div>
    </WidgetContext.Provider>
  );
}

/** The image fields that shape questions draw on (what adjudication shows per answer). */
export function shapeImageFields(iface: Interface): FieldSpec[] {
  return iface.fields.filter((f) => f.kind === "image" && shapeQuestionsOf(iface, f).length > 0);
}
