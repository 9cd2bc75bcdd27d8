// @vitest-environment jsdom
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { parseInterface } from "../editor/interface";
import { EditorStore } from "../editor/store";
import { TaskView } from "../screens/annotate/TaskView";
import { WidgetShared } from "./registry";
import { orderAnswer } from "./questions/RankingQuestion";
import { judgeTurn } from "./questions/TurnsQuestion";
import { weightedScore } from "./questions/RubricQuestion";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const XSS = "<img src=x onerror=alert(1)>";
const iface = parseInterface({
  fields: [
    { name: "prompt", kind: "text" },
    { name: "notes", kind: "markdown" },
    { name: "responses", kind: "text_list", min_items: 2, max_items: 2 },
    { name: "chat", kind: "chat" },
  ],
  questions: [
    { name: "sentiment", kind: "choice", options: ["pos", "neg"] },
    { name: "better", kind: "pairwise", target: "responses" },
    { name: "per_turn", kind: "turns", target: "chat", rating: { min: 1, max: 5 } },
  ],
});
const data = {
  prompt: XSS,
  notes: `${XSS} [x](javascript:alert(1))`,
  responses: [XSS, "b"],
  chat: [
    { role: "user", content: XSS },
    { role: "assistant", content: "hi" },
  ],
};

let container: HTMLDivElement | null = null;
afterEach(() => container?.remove());

function render(store: EditorStore): HTMLDivElement {
  container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(<TaskView store={store} data={data} shared={new WidgetShared()} />));
  return container;
}

describe("task rendering", () => {
  it("shows markup in task data as text, never as elements", () => {
    const html = render(new EditorStore(iface, data));
    expect(html.querySelectorAll("img, script").length).toBe(0);
    expect(html.textContent).toContain(XSS);
    expect([...html.querySelectorAll("a")].some((a) => a.getAttribute("href")?.startsWith("javascript"))).toBe(false);
  });

  it("turns number keys on the active question into its answer", () => {
    const store = new EditorStore(iface, data);
    const html = render(store);
    const choice = html.querySelector("[data-question=sentiment] [data-keys]") as HTMLElement;
    act(() => {
      choice.dispatchEvent(new KeyboardEvent("keydown", { key: "2", code: "Digit2", bubbles: true }));
    });
    expect(store.result).toEqual({ sentiment: { choice: "neg" } });
    store.focus("better");
    const pairwise = html.querySelector("[data-question=better] [data-keys]") as HTMLElement;
    act(() => {
      pairwise.dispatchEvent(new KeyboardEvent("keydown", { key: "1", code: "Digit1", bubbles: true }));
    });
    act(() => {
      pairwise.dispatchEvent(new KeyboardEvent("keydown", { key: "@", code: "Digit2", shiftKey: true, bubbles: true }));
    });
    expect(store.result.better).toEqual({ choice: "A", strength: 2 });
  });
});

describe("answer shapes", () => {
  it("ranking emits a plain order, or groups when tied", () => {
    expect(orderAnswer([[2], [0], [1]])).toEqual({ order: [2, 0, 1] });
    expect(orderAnswer([[2], [0, 1]])).toEqual({ order: [[2], [0, 1]] });
  });

  it("turns keeps one entry per turn, sorted", () => {
    const q = iface.questions[2];
    if (q?.kind !== "turns") throw new Error("interface");
    let value = judgeTurn(q, undefined, 1, 4);
    value = judgeTurn(q, value, 1, 5);
    expect(value).toEqual({ turns: [{ index: 1, rating: 5 }] });
    expect(judgeTurn(q, value, 1, null)).toBeUndefined();
  });

  it("rubric's weighted score matches the server's formula", () => {
    const criteria = [
      { name: "accurate", label: "", description: "", type: "pass_fail" as const, min: 1, max: 5, weight: 2 },
      { name: "clear", label: "", description: "", type: "score" as const, min: 1, max: 5, weight: 1 },
    ];
    expect(weightedScore(criteria, { accurate: true, clear: 4 })?.toFixed(3)).toBe("0.917");
    expect(weightedScore(criteria, { accurate: true })).toBeNull();
  });
});
