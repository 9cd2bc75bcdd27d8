import { describe, expect, it } from "vitest";
import { addSegment, cycle, inOrder, limits, moveEdge, moveWhole, segmentAt, segmentProblems, segmentsOf, splitAt, toAnswer, update, type Segment, type SegmentRules } from "./model";

const rules: SegmentRules = { overlap: "refuse", minDuration: 0.01, maxSegments: 100, duration: 60 };
const seg = (id: string, start: number, end: number, label = "speech", extra: Partial<Segment> = {}): Segment => ({
  id,
  start,
  end,
  label,
  speaker: null,
  attributes: null,
  text: null,
  ...extra,
});

describe("segments model", () => {
  it("adds segments in either order, snapped to the millisecond and kept in the recording", () => {
    const made = addSegment(rules, [], 3.4567, 1.00049, { label: "speech" });
    expect(made).toEqual({ segments: [seg("s1", 1, 3.457)], made: seg("s1", 1, 3.457) });
    const clipped = addSegment(rules, [], 59, 75, { label: "speech" });
    expect("made" in clipped && clipped.made.end).toBe(60);
    expect(addSegment(rules, [], 1, 1.005)).toHaveProperty("error");
    // A recording of 2.7846 s: an end at its very end is its last whole millisecond, 2.784 s
    // (rounding would give 2.785 s, past the end, which the server refuses).
    const short = { ...rules, duration: 2.7846 };
    const atEnd = addSegment(short, [], 2, 2.7846, { label: "speech" });
    expect("made" in atEnd && atEnd.made.end).toBe(2.784);
    if ("made" in atEnd) expect(segmentProblems({ ...short, speakerRequired: false }, atEnd.segments)).toEqual([]);
    expect(limits(short, [seg("s1", 1, 2)], "s1")).toEqual([0, 2.784]);
    expect(addSegment({ ...rules, maxSegments: 1 }, [seg("s1", 0, 1)], 2, 3)).toHaveProperty("error");
  });

  it("refuses same-label overlaps where asked, allows touching ends and other labels", () => {
    const one = [seg("s1", 1, 2)];
    expect(addSegment(rules, one, 1.5, 3, { label: "speech" })).toHaveProperty("error");
    expect(addSegment(rules, one, 2, 3, { label: "speech" })).toHaveProperty("segments");
    expect(addSegment(rules, one, 1.5, 3, { label: "music" })).toHaveProperty("segments");
    expect(addSegment({ ...rules, overlap: "allow" }, one, 1.5, 3, { label: "speech" })).toHaveProperty("segments");
    // A transcript's segments all have the label "": none may overlap.
    expect(addSegment(rules, [seg("s1", 1, 2, "")], 1.5, 3, { label: "" })).toHaveProperty("error");
  });

  it("moves edges and whole segments within their neighbours and the recording", () => {
    const list = [seg("a", 0, 1), seg("b", 2, 3), seg("c", 5, 6), seg("m", 0, 10, "music")];
    expect(limits(rules, list, "b")).toEqual([1, 5]);
    expect(moveEdge(rules, list, "b", "start", 0.2).find((s) => s.id === "b")?.start).toBe(1);
    expect(moveEdge(rules, list, "b", "end", 9).find((s) => s.id === "b")?.end).toBe(5);
    expect(moveEdge(rules, list, "b", "start", 7).find((s) => s.id === "b")?.start).toBe(2.99);
    expect(moveEdge(rules, list, "c", "end", 99).find((s) => s.id === "c")?.end).toBe(60);
    expect(moveEdge(rules, list, "b", "end", 2.34567).find((s) => s.id === "b")?.end).toBe(2.346);
    expect(moveWhole(rules, list, "b", 4.5).find((s) => s.id === "b")).toMatchObject({ start: 4, end: 5 });
    expect(moveWhole(rules, list, "b", 1.5).find((s) => s.id === "b")).toMatchObject({ start: 1.5, end: 2.5 });
  });

  it("splits at the playhead, the second part new with an empty text", () => {
    const list = [seg("s1", 1, 3, "", { text: "hello there" })];
    const cut = splitAt(rules, list, "s1", 2.0004);
    if ("error" in cut) throw new Error(cut.error);
    expect(inOrder(cut.segments)).toEqual([seg("s1", 1, 2, "", { text: "hello there" }), seg("s2", 2, 3, "", { text: "" })]);
    expect(splitAt(rules, list, "s1", 1.005)).toHaveProperty("error");
    expect(splitAt(rules, list, "s1", 4)).toHaveProperty("error");
  });

  it("round-trips answers of both kinds in time order", () => {
    const labelled = [seg("b", 2, 3, "music", { speaker: "A", attributes: { loud: true } }), seg("a", 0, 1)];
    const answer = toAnswer(labelled, "segments");
    expect(answer).toEqual({
      segments: [
        { id: "a", start: 0, end: 1, label: "speech" },
        { id: "b", start: 2, end: 3, label: "music", speaker: "A", attributes: { loud: true } },
      ],
    });
    expect(segmentsOf(answer)).toEqual(inOrder(labelled));
    const spoken = toAnswer([seg("s1", 0.5, 2.25, "", { text: "hi", speaker: "B" })], "transcript");
    expect(spoken).toEqual({ segments: [{ id: "s1", start: 0.5, end: 2.25, text: "hi", speaker: "B" }] });
    expect(toAnswer([], "segments")).toBeUndefined();
  });

  it("finds the segment playing and cycles in time order", () => {
    const ordered = inOrder([seg("a", 0, 1), seg("b", 1, 2), seg("c", 5, 6)]);
    expect(segmentAt(ordered, 0.5)).toBe("a");
    expect(segmentAt(ordered, 1)).toBe("b");
    expect(segmentAt(ordered, 3)).toBeNull();
    expect(segmentAt(ordered, 5.999)).toBe("c");
    expect(segmentAt([], 1)).toBeNull();
    expect(cycle(ordered, null, 1)).toBe("a");
    expect(cycle(ordered, "c", 1)).toBe("a");
    expect(cycle(ordered, "a", -1)).toBe("c");
    // a long segment still contains a later time past shorter ones
    expect(segmentAt(inOrder([seg("long", 0, 10, "x"), seg("short", 1, 2)]), 5)).toBe("long");
  });

  it("relabels unless that clashes", () => {
    const list = [seg("a", 0, 2), seg("b", 1, 3, "music")];
    expect(update(rules, list, "b", { label: "speech" })).toHaveProperty("error");
    expect(update(rules, list, "b", { speaker: "A" })).toHaveProperty("segments");
  });

  it("says what the server would refuse, with paths in time order", () => {
    const list = [seg("x", 2, 3.0004), seg("y", 1, 2.5), seg("z", 59, 61)];
    expect(segmentProblems({ ...rules, speakerRequired: true }, list)).toEqual([
      { path: "segments[0].speaker", message: "no speaker; choose who speaks" },
      { path: "segments[1].end", message: "3.0004 is not a whole number of milliseconds" },
      { path: "segments[1].speaker", message: "no speaker; choose who speaks" },
      { path: "segments[2].end", message: "61.000 s is past the end of the recording (60.000 s)" },
      { path: "segments[2].speaker", message: "no speaker; choose who speaks" },
      { path: "segments[1].start", message: "overlaps segments[0] (both speech); move one of them" },
    ]);
    expect(segmentProblems({ ...rules, speakerRequired: false }, [seg("a", 0, 1), seg("b", 1, 2)])).toEqual([]);
  });
});
