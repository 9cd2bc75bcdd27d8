import { describe, expect, it } from "vitest";
import type { EventsSpec } from "../../../editor/interface";
import { addEvent, cycle, eventsOf, frameAtX, moveEdge, toAnswer, type VideoEvent } from "./model";

const question: EventsSpec = {
  kind: "events",
  name: "q",
  label: "",
  required: false,
  description: "",
  target: "clip",
  labels: [
    { value: "pick", label: "", hint: "" },
    { value: "place", label: "", hint: "" },
  ],
  attributes: [],
  overlap: "refuse",
  minFrames: 1,
  minEvents: 0,
  maxEvents: 100,
};
const ev = (id: string, start: number, end: number, label = "pick"): VideoEvent => ({ id, label, start, end, attributes: null });

describe("events model", () => {
  it("adds events in either order and refuses same-label overlaps", () => {
    const first = addEvent(question, [], "pick", 9, 3);
    expect(first).toEqual({ events: [ev("e1", 3, 9)], made: ev("e1", 3, 9) });
    if ("error" in first) throw new Error();
    expect(addEvent(question, first.events, "pick", 9, 12)).toHaveProperty("error");
    expect(addEvent(question, first.events, "place", 9, 12)).toHaveProperty("events");
    expect(addEvent({ ...question, overlap: "allow" }, first.events, "pick", 9, 12)).toHaveProperty("events");
    expect(addEvent({ ...question, minFrames: 5 }, [], "pick", 0, 3)).toHaveProperty("error");
  });

  it("moves an edge within the video, its neighbours and min_frames", () => {
    const events = [ev("a", 0, 4), ev("b", 10, 20), ev("c", 30, 35)];
    expect(moveEdge(question, events, "b", "start", 2, 50).find((e) => e.id === "b")?.start).toBe(5);
    expect(moveEdge(question, events, "b", "end", 40, 50).find((e) => e.id === "b")?.end).toBe(29);
    expect(moveEdge(question, events, "b", "start", 25, 50).find((e) => e.id === "b")?.start).toBe(20);
    expect(moveEdge(question, events, "c", "end", 99, 50).find((e) => e.id === "c")?.end).toBe(50);
  });

  it("round-trips the answer, cycles in time order and maps x to frames", () => {
    const events = [ev("b", 10, 20), ev("a", 0, 4, "place")];
    expect(eventsOf(toAnswer(events))).toEqual([ev("a", 0, 4, "place"), ev("b", 10, 20)]);
    expect(toAnswer([])).toBeUndefined();
    expect(cycle(events, null, 1)).toBe("a");
    expect(cycle(events, "a", 1)).toBe("b");
    expect(cycle(events, "b", 1)).toBe("a");
    expect(cycle(events, "a", -1)).toBe("b");
    expect(frameAtX(0, 100, 10)).toBe(0);
    expect(frameAtX(99.9, 100, 10)).toBe(9);
    expect(frameAtX(150, 100, 10)).toBe(9);
    expect(frameAtX(35, 100, 10)).toBe(3);
  });
});
