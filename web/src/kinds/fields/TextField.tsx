import type { FieldProps } from "../types";
import type { TextFieldSpec } from "../../editor/interface";

/** Plain text, exactly as given (React escapes it: markup shows as text). */
export function TextField({ value }: FieldProps<TextFieldSpec>) {
  return <div className="field-text">{typeof value === "string" ? value : ""}</div>;
}
