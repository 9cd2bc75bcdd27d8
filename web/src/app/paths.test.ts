import { describe, expect, it } from "vitest";
import { matchPath, safeNext } from "./paths";

describe("matchPath", () => {
  it("gives the parameters of a matching path", () => {
    expect(matchPath("/projects/:id/annotate", "/projects/12/annotate")).toEqual({ id: "12" });
    expect(matchPath("/", "/")).toEqual({});
  });
  it("refuses other paths", () => {
    expect(matchPath("/projects/:id/annotate", "/projects/12/mine")).toBeNull();
    expect(matchPath("/projects/:id", "/projects/12/mine")).toBeNull();
  });
});

describe("safeNext", () => {
  it("keeps same-site paths only", () => {
    expect(safeNext("/projects/1/annotate?x=1")).toBe("/projects/1/annotate?x=1");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
