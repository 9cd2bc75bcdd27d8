// @vitest-environment jsdom
import { act, createElement } from "react";
import { createRoot } from "react-dom/client";
import { describe, expect, it } from "vitest";
import { confirmLeave, leaveThen, navigate, stayHere, useLeaveGuard, usePendingLeave } from "./router";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
window.scrollTo = () => {}; // jsdom has no layout

let pending: ReturnType<typeof usePendingLeave> = null;

function Guarded({ message }: { message: string | null }) {
  useLeaveGuard(message);
  pending = usePendingLeave();
  return null;
}

function mount(message: string | null) {
  const root = createRoot(document.createElement("div"));
  act(() => root.render(createElement(Guarded, { message })));
  return root;
}

const unloadAsks = (): boolean => {
  const event = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
};

describe("leave guard", () => {
  it("holds a navigation until the person confirms, and lets it go without a guard", () => {
    navigate("/projects/1/settings");
    const root = mount("unsaved");
    act(() => navigate("/projects/1/members"));
    expect(window.location.pathname).toBe("/projects/1/settings");
    expect(pending).toEqual({ to: "/projects/1/members", replace: false, message: "unsaved" });
    expect(unloadAsks()).toBe(true);
    act(() => stayHere());
    expect(pending).toBeNull();
    expect(window.location.pathname).toBe("/projects/1/settings");
    act(() => navigate("/projects/1/members"));
    act(() => confirmLeave());
    expect(window.location.pathname).toBe("/projects/1/members");
    act(() => root.unmount());
    expect(unloadAsks()).toBe(false);
  });

  it("does not guard a clean page, nor a forced move", () => {
    navigate("/projects/2/settings");
    const clean = mount(null);
    act(() => navigate("/projects/2/data"));
    expect(window.location.pathname).toBe("/projects/2/data");
    act(() => clean.unmount());
    const dirty = mount("unsaved");
    act(() => navigate("/signin", { force: true }));
    expect(window.location.pathname).toBe("/signin");
    act(() => dirty.unmount());
  });

  it("holds an action that leaves the page (signing out) the same way", () => {
    const root = mount("unsaved");
    let ran = 0;
    act(() => leaveThen(() => ran++));
    expect(ran).toBe(0);
    expect(pending?.message).toBe("unsaved");
    act(() => confirmLeave());
    expect(ran).toBe(1);
    act(() => root.unmount());
    leaveThen(() => ran++);
    expect(ran).toBe(2);
  });
});
