import { afterEach, describe, expect, it, vi } from "vitest";
import { originality } from "../../api/originality";
import { checksOriginality, originalityGate, originalityStore, showRefusal } from "./originality";

const WITH = { fields: [{ name: "t", kind: "text" }], questions: [{ name: "why", kind: "text", originality: { warn_above: 0.5 } }] };
const WITHOUT = { fields: [{ name: "t", kind: "text" }], questions: [{ name: "why", kind: "text" }] };

describe("the originality gate", () => {
  afterEach(() => {
    originalityStore.close();
    vi.restoreAllMocks();
  });

  it("asks nothing of a project without originality", async () => {
    const preview = vi.spyOn(originality, "preview");
    expect(checksOriginality(WITHOUT)).toBe(false);
    expect(await originalityGate(WITHOUT, 1, { why: { text: "x" } }, () => undefined)).toBe(true);
    expect(preview).not.toHaveBeenCalled();
  });

  it("opens the dialog on a warning, with submit anyway", async () => {
    const finding = { question: "why", similarity: 0.6, source: "submission" as const, verdict: "warn" as const, passages: [] };
    vi.spyOn(originality, "preview").mockResolvedValue({ findings: [finding] });
    const proceed = vi.fn();
    expect(await originalityGate(WITH, 1, { why: { text: "mine" } }, proceed)).toBe(false);
    const state = originalityStore.get();
    expect(state?.blocked).toBe(false);
    expect(state?.yours).toEqual({ why: "mine" });
    state?.proceed?.();
    expect(proceed).toHaveBeenCalled();
  });

  it("refuses on a block, and lets a failed check through", async () => {
    const finding = { question: "why", similarity: 0.9, source: "reference" as const, verdict: "block" as const, passages: [] };
    vi.spyOn(originality, "preview").mockResolvedValueOnce({ findings: [finding] }).mockRejectedValueOnce(new Error("offline"));
    expect(await originalityGate(WITH, 1, {}, () => undefined)).toBe(false);
    expect(originalityStore.get()?.proceed).toBeNull();
    originalityStore.close();
    expect(await originalityGate(WITH, 1, {}, () => undefined)).toBe(true);
  });

  it("asks, for an edit, with the annotation whose own text does not count", async () => {
    const preview = vi.spyOn(originality, "preview").mockResolvedValue({ findings: [] });
    expect(await originalityGate(WITH, 3, { why: { text: "edited" } }, () => undefined, 42)).toBe(true);
    expect(preview).toHaveBeenCalledWith(3, { why: { text: "edited" } }, 42);
  });

  it("shows a server refusal", () => {
    expect(showRefusal({ question: "why", similarity: 0.9, passages: [] }, { why: { text: "a" } })).toBe(true);
    expect(originalityStore.get()?.findings[0]?.verdict).toBe("block");
    expect(showRefusal([{ path: "x" }], {})).toBe(false);
  });
});
