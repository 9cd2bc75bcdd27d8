// @vitest-environment jsdom
import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { JsonObject } from "../../../api/types";
import { parseInterface } from "../../../editor/interface";
import { EditorStore } from "../../../editor/store";
import { TaskView } from "../../../screens/annotate/TaskView";
import { WidgetShared } from "../../registry";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const iface = parseInterface({
  fields: [
    { name: "image", kind: "image" },
    { name: "plain", kind: "image" },
  ],
  questions: [
    { name: "objects", kind: "boxes", target: "image", labels: ["car", "person"] },
    { name: "scene", kind: "image_class", target: "plain", options: ["street", "park"] },
  ],
});

let container: HTMLDivElement | null = null;
afterEach(() => container?.remove());

function render(store: EditorStore, data: JsonObject): HTMLDivElement {
  container = document.createElement("div");
  document.body.append(container);
  const root = createRoot(container);
  act(() => root.render(<TaskView store={store} data={data} shared={new WidgetShared()} />));
  return container;
}

const press = (target: Element, key: string, code = ""): void => {
  act(() => {
    target.dispatchEvent(new KeyboardEvent("keydown", { key, code, bubbles: true, cancelable: true }));
  });
};

describe("image widgets", () => {
  it("lists the objects, selects one from the list, relabels and deletes it by key", () => {
    // jsdom has no canvas: the stage says so instead of drawing.
    vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockReturnValue(null);
    const answer: { objects: JsonObject[] } = { objects: [{ id: "1", label: "car", x: 1, y: 2, w: 3, h: 4, score: 0.4 }, { id: "2", label: "car", x: 5, y: 5, w: 5, h: 5 }] };
    const store = new EditorStore(iface, {}, { objects: answer });
    const html = render(store, { image: "javascript:alert(1)", plain: { src: "/media/x.png", width: 10, height: 20 } });
    expect(html.querySelector(".image-problem")?.textContent).toMatch(/cannot draw|not one a browser can open/);
    expect(html.querySelectorAll(".shape-row").length).toBe(2);
    expect(html.querySelector(".shape-threshold")?.textContent).toContain("0 of 1 hidden");
    act(() => (html.querySelector('[data-object-id="1"]') as HTMLElement).click());
    expect(html.querySelector("[data-selected-object]")?.getAttribute("data-selected-object")).toBe("1");
    const card = html.querySelector('[data-question="objects"] [data-keys]') as HTMLElement;
    press(card, "2", "Digit2");
    expect((store.result.objects as JsonObject).objects).toEqual([{ id: "1", label: "person", x: 1, y: 2, w: 3, h: 4, score: 0.4 }, answer.objects[1]]);
    press(card, "ArrowDown");
    press(card, "Delete");
    expect(((store.result.objects as JsonObject).objects as JsonObject[]).map((o) => o.id)).toEqual(["2"]);
    store.undo();
    store.undo();
    expect(((store.result.objects as JsonObject).objects as JsonObject[])[0]).toMatchObject({ id: "1", label: "person", y: 2 });
    // The image_class field shows its picture on its own, with the choice over it.
    expect(html.querySelector('[data-image-field="plain"] img')?.getAttribute("src")).toBe("/media/x.png");
    expect(html.querySelector("script")).toBeNull();
  });
});
