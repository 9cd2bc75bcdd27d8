import { describe, expect, it } from "vitest";
import { parseInterface } from "../../editor/interface";
import { answerLines } from "./answerText";

const iface = parseInterface({
  fields: [{ name: "text", kind: "text" }],
  questions: [{ name: "entities", kind: "spans", target: "text", labels: ["PER", "ORG"] }],
});
const spans = iface.questions[0]!;

describe("answerLines for spans", () => {
  it("shows a predicted span (offsets only) as the text it marks, counted in code points", () => {
    const data = { text: "🙂 Alice works at Acme" };
    const value = { spans: [{ start: 2, end: 7, label: "PER" }, { start: 17, end: 21, label: "ORG" }] };
    expect(answerLines(spans, value, data)).toEqual(["PER: “Alice” (characters 2–7)", "ORG: “Acme” (characters 17–21)"]);
  });
  it("prefers the text a span carries, and says offsets only when there is no text at all", () => {
    expect(answerLines(spans, { spans: [{ start: 0, end: 3, label: "ORG", text: "Bob" }] }, null)).toEqual(["ORG: “Bob” (characters 0–3)"]);
    expect(answerLines(spans, { spans: [{ start: 0, end: 3, label: "ORG" }] }, null)).toEqual(["ORG: characters 0–3"]);
  });
});
