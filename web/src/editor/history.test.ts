import { describe, expect, it } from "vitest";
import { History } from "./history";

describe("History", () => {
  it("undoes and redoes single steps", () => {
    const h = new History<number>();
    h.push(0, 1);
    h.push(1, 2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe(1);
    expect(h.redo()).toBe(2);
    expect(h.redo()).toBeNull();
  });

  it("drops the redo list on a new change", () => {
    const h = new History<number>();
    h.push(0, 1);
    h.undo();
    h.push(0, 5);
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe(0);
  });

  it("merges typing into one step per word", () => {
    const h = new History<string>(1000);
    let text = "";
    const type = (chars: string, start: number): void => {
      [...chars].forEach((ch, i) => {
        const next = text + ch;
        h.push(text, next, { coalesce: "text:why", endsWord: /\s/.test(ch), now: start + i * 50 });
        text = next;
      });
    };
    type("hello ", 0);
    type("world", 400);
    expect(h.undo()).toBe("hello ");
    expect(h.undo()).toBe("");
    expect(h.canUndo).toBe(false);
  });

  it("starts a new step after a pause", () => {
    const h = new History<string>(1000);
    h.push("", "a", { coalesce: "t", now: 0 });
    h.push("a", "ab", { coalesce: "t", now: 500 });
    h.push("ab", "abc", { coalesce: "t", now: 2000 });
    expect(h.undo()).toBe("ab");
    expect(h.undo()).toBe("");
  });

  it("does not merge different questions or sealed steps", () => {
    const h = new History<string>(1000);
    h.push("", "a", { coalesce: "t:1", now: 0 });
    h.push("a", "ab", { coalesce: "t:2", now: 10 });
    h.seal();
    h.push("ab", "abc", { coalesce: "t:2", now: 20 });
    expect(h.undo()).toBe("ab");
    expect(h.undo()).toBe("a");
    expect(h.undo()).toBe("");
  });
});
