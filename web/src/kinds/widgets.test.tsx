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
    act(() => store.focus("better"));
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

describe("rubric and turns keys", () => {
  const judged = parseInterface({
    fields: [{ name: "chat", kind: "chat" }],
    questions: [
      { name: "quality", kind: "turns", target: "chat", rating: { min: 1, max: 5 } },
      { name: "safety", kind: "turns", target: "chat", label: "Safety", labels: ["safe", "unsafe"], all_turns: true },
      {
        name: "judge",
        kind: "rubric",
        criteria: [
          { name: "accurate", type: "pass_fail" },
          { name: "clear", min: 1, max: 5 },
          { name: "deep", min: 1, max: 5 },
        ],
      },
    ],
  });
  const chat = {
    chat: [
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
      { role: "user", content: "q2" },
      { role: "assistant", content: "a2" },
    ],
  };

  function mount(store: EditorStore): HTMLDivElement {
    container = document.createElement("div");
    document.body.append(container);
    const root = createRoot(container);
    act(() => root.render(<TaskView store={store} data={chat} shared={new WidgetShared()} />));
    return container;
  }

  function press(target: Element, ...keys: string[]): void {
    for (const key of keys) {
      const code = /^\d$/.test(key) ? `Digit${key}` : key;
      act(() => {
        target.dispatchEvent(new KeyboardEvent("keydown", { key, code, bubbles: true }));
      });
    }
  }

  it("draws every turns question's controls beside each turn, labelled, and its keys act on them", () => {
    const store = new EditorStore(judged, chat);
    const html = mount(store);
    const beside = html.querySelectorAll(".chat-turn")[1]?.querySelectorAll(".turn-controls");
    expect([...(beside ?? [])].map((c) => c.getAttribute("aria-label"))).toEqual(["quality, turn #1", "Safety, turn #1"]);
    act(() => store.focus("safety"));
    const card = html.querySelector("[data-question=safety] [data-keys]") as HTMLElement;
    press(card, "2", "ArrowDown", "1");
    expect(store.result.safety).toEqual({
      turns: [
        { index: 1, labels: ["unsafe"] },
        { index: 3, labels: ["safe"] },
      ],
    });
    expect(store.result.quality).toBeUndefined();
    expect(html.querySelector("[data-turns=safety][data-turn='3']")?.className).toContain("turn-controls-focus");
    expect(html.querySelector("[data-turns=quality].turn-controls-focus")).toBeNull();
    expect(html.querySelector("[data-turns=safety][data-turn='1'] [aria-pressed=true]")?.textContent).toBe("unsafe");
  });

  it("keeps the highlight on the row a number judged: 1 ↓ 4 ↓ 2 fills three rows in order", () => {
    const store = new EditorStore(judged, chat);
    const html = mount(store);
    act(() => store.focus("judge"));
    const card = html.querySelector("[data-question=judge] [data-keys]") as HTMLElement;
    press(card, "1", "ArrowDown", "4", "ArrowDown", "2");
    expect(store.result.judge).toEqual({ criteria: { accurate: true, clear: 4, deep: 2 } });
    act(() => store.focus("quality"));
    const turns = html.querySelector("[data-question=quality] [data-keys]") as HTMLElement;
    press(turns, "1", "ArrowDown", "4");
    expect(store.result.quality).toEqual({
      turns: [
        { index: 1, rating: 1 },
        { index: 3, rating: 4 },
      ],
    });
  });

  it("marks a started rubric as unfinished, not answered, and says what is left", () => {
    const store = new EditorStore(judged, chat, { judge: { criteria: { clear: 3 } }, safety: { turns: [{ index: 1, labels: ["safe"] }] } });
    const html = mount(store);
    const head = html.querySelector("[data-question=judge] .question-head") as HTMLElement;
    expect(head.querySelector(".question-done")).toBeNull();
    expect(head.querySelector(".question-unfinished")?.textContent).toContain("1 of 3 judged");
    expect(html.querySelector("[data-question=safety] .question-unfinished")?.textContent).toContain("1 of 2 turns judged");
    expect(html.querySelector("[data-question=safety] .turns-missing")?.textContent).toBe("Not judged yet: #3.");
  });
});

describe("text boxes", () => {
  it("puts the caret after the text already written when the box gets the focus", () => {
    const withText = parseInterface({ fields: [{ name: "prompt", kind: "text" }], questions: [{ name: "s", kind: "choice", options: ["a"] }, { name: "why", kind: "text" }] });
    const store = new EditorStore(withText, data, { why: { text: "already written" } });
    container = document.createElement("div");
    document.body.append(container);
    const root = createRoot(container);
    act(() => root.render(<TaskView store={store} data={data} shared={new WidgetShared()} />));
    act(() => store.focus("why"));
    const box = container.querySelector("[data-question=why] textarea") as HTMLTextAreaElement;
    expect(document.activeElement).toBe(box);
    expect([box.selectionStart, box.selectionEnd]).toEqual([15, 15]);
  });
});
