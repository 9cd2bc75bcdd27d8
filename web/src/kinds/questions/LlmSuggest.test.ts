import { describe, expect, it } from "vitest";
import { isSuggestKey } from "./LlmSuggest";

const key = (code: string, more: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({
  code,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...more,
});

describe("isSuggestKey", () => {
  it("is Alt+L by the key's place (Option+L types ¬ on a Mac)", () => {
    expect(isSuggestKey(key("KeyL", { altKey: true }))).toBe(true);
  });

  it("is not L alone, nor with another modifier, nor Alt with another key", () => {
    expect(isSuggestKey(key("KeyL"))).toBe(false);
    expect(isSuggestKey(key("KeyL", { altKey: true, shiftKey: true }))).toBe(false);
    expect(isSuggestKey(key("KeyL", { altKey: true, ctrlKey: true }))).toBe(false);
    expect(isSuggestKey(key("KeyL", { altKey: true, metaKey: true }))).toBe(false);
    expect(isSuggestKey(key("KeyG", { altKey: true }))).toBe(false);
  });
});
