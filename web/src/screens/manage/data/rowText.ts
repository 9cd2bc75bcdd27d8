/** One line of text that stands for a task's data in the table (never HTML). */
import type { Json, JsonObject } from "../../../api/types";

const LIMIT = 240;

function textOf(value: Json): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((item) =>
        item !== null && typeof item === "object" && !Array.isArray(item) && typeof item.content === "string"
          ? `${typeof item.role === "string" ? item.role : "?"}: ${item.content}`
          : textOf(item),
      )
      .join(" | ");
  }
  return JSON.stringify(value);
}

export function dataPreview(data: JsonObject): string {
  const parts: string[] = [];
  let length = 0;
  for (const [key, value] of Object.entries(data)) {
    const text = `${key}: ${textOf(value).replace(/\s+/g, " ")}`;
    parts.push(text);
    length += text.length;
    if (length > LIMIT) break;
  }
  const line = parts.join(" · ");
  return line.length > LIMIT ? `${line.slice(0, LIMIT)}…` : line;
}
