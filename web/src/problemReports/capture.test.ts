// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { request } from "../api/http";
import {
  clientErrors,
  failedRequests,
  gatherContext,
  idsOf,
  installProblemCapture,
  MAX_ERRORS,
  RingBuffer,
  taskContentIn,
  withoutQuery,
  type Where,
} from "./capture";
import { isReportKey } from "./ReportProblem";
import { DIALOG_ATTRIBUTE, dataUrlBytes, keepNode } from "./screenshot";

function where(overrides: Partial<Where> = {}): Where {
  return {
    pathname: "/projects/7/annotate",
    userAgent: "Mozilla/5.0 (X11) Test",
    viewport: [1280, 800],
    language: "en-GB",
    taskOnScreen: 41,
    taskContent: () => "The secret prompt. Answer: pos",
    ...overrides,
  };
}

beforeEach(() => {
  clientErrors.clear();
  failedRequests.clear();
});

describe("ring buffers", () => {
  it("keep the last N, oldest first", () => {
    const ring = new RingBuffer<number>(3);
    for (let n = 1; n <= 5; n += 1) ring.push(n);
    expect(ring.list()).toEqual([3, 4, 5]);
  });

  it("record window errors and unhandled rejections from boot, bounded", () => {
    installProblemCapture(window);
    installProblemCapture(window); // once only: no double recording
    for (let n = 0; n < MAX_ERRORS + 5; n += 1) {
      window.dispatchEvent(new ErrorEvent("error", { message: `boom ${n}`, filename: "https://x.test/assets/app.js?token=s3cret", lineno: 3, colno: 9 }));
    }
    const errors = clientErrors.list();
    expect(errors).toHaveLength(MAX_ERRORS);
    expect(errors.at(-1)).toMatchObject({ kind: "error", message: `boom ${MAX_ERRORS + 4}`, source: "https://x.test/assets/app.js", line: 3 });
    const rejection = new Event("unhandledrejection") as Event & { reason?: unknown };
    rejection.reason = new TypeError("x is undefined");
    window.dispatchEvent(rejection);
    expect(clientErrors.list().at(-1)).toMatchObject({ kind: "unhandledrejection", message: "TypeError: x is undefined" });
  });
});

describe("failed requests", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("are recorded by the one module that talks to the server, without query or body", async () => {
    installProblemCapture(window);
    const answer = { error: { code: "task_gone", message: "gone", details: null } };
    vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify(answer), { status: 410 })));
    await expect(request("POST", "/tasks/41/annotations", { body: { result: { secret: "x" } }, query: { token: "abc" } })).rejects.toThrow();
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(request("GET", "/projects/7")).rejects.toThrow();
    const recorded = failedRequests.list();
    expect(recorded.map(({ method, path, status, code }) => ({ method, path, status, code }))).toEqual([
      { method: "POST", path: "/tasks/41/annotations", status: 410, code: "task_gone" },
      { method: "GET", path: "/projects/7", status: 0, code: "network" },
    ]);
    expect(JSON.stringify(recorded)).not.toContain("secret");
    expect(JSON.stringify(recorded)).not.toContain("abc");
  });
});

describe("the context", () => {
  it("never holds the task's content unless the reporter allows it", () => {
    const plain = gatherContext(where(), { includeTaskContent: false, appVersion: "1.2.3" });
    expect(plain).not.toHaveProperty("task_content");
    expect(JSON.stringify(plain)).not.toContain("secret prompt");
    expect(plain).toMatchObject({ page: "/projects/7/annotate", project_id: 7, task_id: 41, app_version: "1.2.3" });
    expect(plain.browser).toEqual({ user_agent: "Mozilla/5.0 (X11) Test", viewport: [1280, 800], language: "en-GB" });
    const allowed = gatherContext(where(), { includeTaskContent: true, appVersion: null });
    expect(allowed.task_content).toBe("The secret prompt. Answer: pos");
  });

  it("bounds the task's content", () => {
    const long = gatherContext(where({ taskContent: () => "x".repeat(50_000) }), { includeTaskContent: true, appVersion: null });
    expect(long.task_content!.length).toBeLessThanOrEqual(20_001);
  });

  it("takes the ids from the route, never the query", () => {
    expect(idsOf("/projects/3/tasks/9")).toEqual({ project_id: 3, task_id: 9 });
    expect(idsOf("/admin/users")).toEqual({ project_id: null, task_id: null });
    expect(withoutQuery("/signin?next=/x&token=abc#frag")).toBe("/signin");
    const context = gatherContext(where({ pathname: "/projects/3/tasks/9", taskOnScreen: null }), { includeTaskContent: false, appVersion: null });
    expect(context.task_id).toBe(9);
  });

  it("reads the task's content from the page's task boxes", () => {
    document.body.innerHTML = `<main><div class="task"><div class="task-data"><p>The  prompt</p></div>
      <div class="task-questions"><textarea>draft</textarea><p>Label: pos</p></div></div><p>Not task</p></main>`;
    const text = taskContentIn(document);
    expect(text).toContain("The prompt");
    expect(text).toContain("Label: pos");
    expect(text).not.toContain("Not task");
  });
});

describe("the screenshot", () => {
  it("leaves out the dialog, and the task's content unless allowed", () => {
    document.body.innerHTML = `<div class="task-data"><p id="field">secret</p></div><div ${DIALOG_ATTRIBUTE}><p id="inside">x</p></div><p id="other">ok</p>`;
    const field = document.getElementById("field")!;
    const box = document.querySelector(".task-data")!;
    const dialog = document.querySelector(`[${DIALOG_ATTRIBUTE}]`)!;
    expect(keepNode(box, false)).toBe(true); // the box stays, empty
    expect(keepNode(field, false)).toBe(false);
    expect(keepNode(field.firstChild!, false)).toBe(false);
    expect(keepNode(field, true)).toBe(true);
    expect(keepNode(dialog, true)).toBe(false);
    expect(keepNode(document.getElementById("other")!, false)).toBe(true);
  });

  it("measures a data URL's bytes", () => {
    expect(dataUrlBytes("data:image/jpeg;base64,QUJD")).toBe(3);
  });
});

describe("the key", () => {
  it("is Ctrl+Shift+E (or ⌘+Shift+E), whatever the layout", () => {
    const base = { ctrlKey: true, metaKey: false, shiftKey: true, altKey: false, code: "KeyE" };
    expect(isReportKey(base)).toBe(true);
    expect(isReportKey({ ...base, ctrlKey: false, metaKey: true })).toBe(true);
    expect(isReportKey({ ...base, shiftKey: false })).toBe(false);
    expect(isReportKey({ ...base, altKey: true })).toBe(false);
  });
});
