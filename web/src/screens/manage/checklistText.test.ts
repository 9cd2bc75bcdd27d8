import { describe, expect, it } from "vitest";
import { checklistToText, textToChecklist } from "./checklistText";

describe("checklist text", () => {
  it("reads severity, text and id; the severity and the id may be left out", () => {
    expect(textToChecklist("critical: No factual error [facts]\n\n  Follows the style guide §3 \nminor: tone [a b]")).toEqual([
      { text: "No factual error", severity: "critical", id: "facts" },
      { text: "Follows the style guide §3", severity: "major" },
      { text: "tone", severity: "minor", id: "a b" },
    ]);
  });

  it("writes what it reads back", () => {
    const items = [
      { id: "facts", text: "No factual error", severity: "critical" as const },
      { id: "style", text: "Style: see §3", severity: "minor" as const },
    ];
    expect(textToChecklist(checklistToText(items))).toEqual(items);
  });
});
