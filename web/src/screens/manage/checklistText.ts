/**
 * A review checklist as the settings form writes it: one item per line,
 * `severity: what to check [id]`. The severity (minor, major or critical) may be left out
 * (major); the `[id]` keeps an item's failures counted together when it is reworded (items
 * read from the server always show theirs; a new line gets one from its text).
 */
import type { ChecklistItem, ChecklistItemIn, Severity } from "../../api";

const SEVERITIES: Severity[] = ["minor", "major", "critical"];
const LINE = /^(?:(minor|major|critical)\s*:\s*)?(.*?)\s*(?:\[([^\]]+)\])?$/i;

export function checklistToText(items: ChecklistItem[]): string {
  return items.map((item) => `${item.severity}: ${item.text} [${item.id}]`).join("\n");
}

export function textToChecklist(text: string): ChecklistItemIn[] {
  const items: ChecklistItemIn[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const match = LINE.exec(line);
    const severity = (match?.[1]?.toLowerCase() ?? "major") as Severity;
    const item: ChecklistItemIn = { text: (match?.[2] ?? line).trim(), severity: SEVERITIES.includes(severity) ? severity : "major" };
    const id = match?.[3]?.trim();
    if (id) item.id = id;
    items.push(item);
  }
  return items;
}
