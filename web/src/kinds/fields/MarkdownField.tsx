import type { FieldProps } from "../types";
import type { TextFieldSpec } from "../../editor/interface";
import { Markdown } from "./Markdown";

export function MarkdownField({ value }: FieldProps<TextFieldSpec>) {
  return <Markdown source={typeof value === "string" ? value : ""} />;
}
