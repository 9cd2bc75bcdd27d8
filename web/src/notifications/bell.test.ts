import { describe, expect, it } from "vitest";
import { isBellKey, timeAgo } from "./bell";

const key = (over: Partial<KeyboardEvent>) => ({ altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, code: "KeyN", ...over });

describe("the bell", () => {
  it("opens with Alt+N only", () => {
    expect(isBellKey(key({ altKey: true }))).toBe(true);
    expect(isBellKey(key({}))).toBe(false);
    expect(isBellKey(key({ altKey: true, ctrlKey: true }))).toBe(false);
    expect(isBellKey(key({ altKey: true, shiftKey: true }))).toBe(false);
    expect(isBellKey(key({ altKey: true, code: "KeyM" }))).toBe(false);
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-12-05T12:00:00Z");
    expect(timeAgo("2026-12-05T11:59:30Z", now)).toBe("just now");
    expect(timeAgo("2026-12-05T11:55:00Z", now)).toBe("5 min ago");
    expect(timeAgo("2026-12-05T09:00:00Z", now)).toBe("3 h ago");
    expect(timeAgo("2026-12-03T12:00:00Z", now)).toBe("2 d ago");
    expect(timeAgo("2026-12-06T12:00:00Z", now)).toBe("just now");
  });
});
