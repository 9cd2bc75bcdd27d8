import { describe, expect, it } from "vitest";
import { rememberSaved, savedNotice, warningsNotice } from "./checkWarnings";

describe("the warnings an annotator is told", () => {
  it("after a submit, names the question and the message", () => {
    const notice = warningsNotice([{ path: "result.why.text", check: "originality", message: "55% similar to an earlier answer" }]);
    expect(notice.text).toBe("Submitted, with a warning: why: 55% similar to an earlier answer. Keep it in mind for the next ones.");
  });

  it("after an edit was saved: plain success without warnings, else the same list", () => {
    expect(savedNotice(7)).toEqual({ tone: "success", text: "Annotation #7 saved." });
    rememberSaved(8, [
      { path: "result.why.text", check: "originality", message: "55% similar to an earlier answer" },
      { path: "result.why.text", check: "words", message: "words check: 28 words; write at least 40" },
    ]);
    const notice = savedNotice(8);
    expect(notice.tone).toBe("warning");
    expect(notice.text).toBe("Annotation #8 saved, with 2 warnings: why: 55% similar to an earlier answer; why: words check: 28 words; write at least 40. Keep it in mind for the next ones.");
    rememberSaved(8, []);
    expect(savedNotice(8).tone).toBe("success");
  });
});
