// @vitest-environment jsdom
/**
 * The follower in a page: it reads the job every 500 ms while it runs, stops once it ends,
 * pauses while the page is hidden, reads nothing after it is gone, and Cancel asks first.
 */
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, type Job } from "../../../api";
import { JobProgress } from "./JobProgress";
import { job } from "./testJob";
import { useJob } from "./useJob";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Followed({ initial }: { initial: Job }) {
  const { follow, replace } = useJob(initial);
  return (
    <div data-status={follow.status}>
      <JobProgress follow={follow} onChange={replace} />
    </div>
  );
}

let root: Root;
let host: HTMLElement;
let hidden = false;

function mount(initial: Job): void {
  host = document.createElement("div");
  document.body.append(host);
  root = createRoot(host);
  act(() => root.render(<Followed initial={initial} />));
}

async function wait(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

const status = () => host.querySelector("[data-status]")?.getAttribute("data-status");

beforeEach(() => {
  vi.useFakeTimers();
  hidden = false;
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  // jsdom has no showModal; the dialog only has to open.
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
});

afterEach(() => {
  act(() => root.unmount());
  host.remove();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("useJob and JobProgress", () => {
  it("reads the job every 500 ms until it ends, showing its progress", async () => {
    const answers = [
      job({ done: 1024, total: 4096, percent: 25, rate: 1024, eta_seconds: 3 }),
      job({ done: 2048, total: 4096, percent: 50, rate: 1024, eta_seconds: 2, attempts: 2, log: [{ at: "2026-05-01T10:00:05Z", message: "attempt 1: its worker stopped answering" }] }),
      job({ state: "succeeded", phase: "done", done: 4096, total: 4096, percent: 100, result: { created: 10 } }),
    ];
    const get = vi.spyOn(api.jobs, "get").mockImplementation(async () => answers.shift() ?? job({ state: "succeeded" }));
    mount(job({ state: "queued", phase: "waiting for a worker" }));
    expect(host.textContent).toContain("Waiting for a worker");
    await wait(499);
    expect(get).not.toHaveBeenCalled();
    await wait(1);
    expect(get).toHaveBeenCalledTimes(1);
    expect(host.textContent).toContain("1.0 KiB of 4.0 KiB (25%)");
    expect(host.textContent).toContain("1.0 KiB/s · about 3 s left");
    await wait(500);
    expect(host.textContent).toContain("Retry: attempt 2 of 3");
    expect(host.textContent).toContain("its worker stopped answering");
    await wait(500);
    expect(status()).toBe("ended");
    expect(host.querySelector("[data-job-state]")?.textContent).toBe("Succeeded");
    await wait(5000);
    expect(get).toHaveBeenCalledTimes(3);
  });

  it("reads nothing while the page is hidden, and at once when it shows", async () => {
    const get = vi.spyOn(api.jobs, "get").mockImplementation(async () => job());
    mount(job());
    await wait(500);
    expect(get).toHaveBeenCalledTimes(1);
    hidden = true;
    act(() => document.dispatchEvent(new Event("visibilitychange")));
    await wait(5000);
    expect(get).toHaveBeenCalledTimes(1);
    hidden = false;
    act(() => document.dispatchEvent(new Event("visibilitychange")));
    await wait(0);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it("stops reading once the page leaves it", async () => {
    const get = vi.spyOn(api.jobs, "get").mockImplementation(async () => job());
    mount(job());
    await wait(500);
    act(() => root.unmount());
    await wait(5000);
    expect(get).toHaveBeenCalledTimes(1);
    root = createRoot(document.createElement("div"));
  });

  it("says it cannot read the job, then tries again later", async () => {
    const get = vi.spyOn(api.jobs, "get").mockRejectedValueOnce(new Error("Cannot reach the server.")).mockResolvedValue(job());
    mount(job());
    await wait(500);
    expect(host.textContent).toContain("Cannot read the job's progress (Cannot reach the server.)");
    await wait(999);
    expect(get).toHaveBeenCalledTimes(1);
    await wait(1);
    expect(get).toHaveBeenCalledTimes(2);
    expect(host.textContent).not.toContain("Cannot read");
  });

  it("cancels only once the person confirms", async () => {
    vi.spyOn(api.jobs, "get").mockImplementation(async () => job());
    const cancel = vi.spyOn(api.jobs, "cancel").mockResolvedValue(job({ state: "cancelled", phase: "cancelled", cancel_requested: true }));
    mount(job());
    const button = host.querySelector<HTMLButtonElement>("button.job-cancel");
    expect(button?.getAttribute("aria-label")).toBe("Cancel import job 7");
    act(() => button?.click());
    const dialog = document.querySelector("dialog");
    expect(dialog?.textContent).toContain("nothing is imported");
    act(() => Array.from(dialog?.querySelectorAll("button") ?? []).find((b) => b.textContent === "Keep the job")?.click());
    expect(cancel).not.toHaveBeenCalled();
    act(() => host.querySelector<HTMLButtonElement>("button.job-cancel")?.click());
    const again = document.querySelector("dialog");
    await act(async () => {
      Array.from(again?.querySelectorAll("button") ?? []).find((b) => b.textContent === "Cancel the import")?.click();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(cancel).toHaveBeenCalledWith(7);
    expect(status()).toBe("ended");
    expect(host.querySelector("[data-job-state]")?.textContent).toBe("Cancelled");
  });
});
