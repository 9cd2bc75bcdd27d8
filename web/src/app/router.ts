/**
 * A small history router: the server answers index.html for every non-API path, so real
 * paths work on reload. `navigate` pushes a path; `useLocation` re-renders on changes;
 * `matchPath("/projects/:id/annotate", path)` gives `{id: "3"}` or null.
 *
 * A page with unsaved work calls `useLeaveGuard(message)`: leaving it in the app (a link,
 * `navigate`, the browser's Back) then waits for the person to confirm in `<LeaveDialog/>`,
 * and closing or reloading the tab asks the browser's own question.
 */
import { useEffect, useSyncExternalStore } from "react";

export interface Location {
  pathname: string;
  search: string;
}

/** A navigation (or an action that leaves the page, such as signing out) held back by a
 * leave guard, waiting for the person's answer. */
export interface PendingLeave {
  to: string;
  replace: boolean;
  message: string;
  /** Run this instead of going to `to`. */
  run?: () => void;
}

const listeners = new Set<() => void>();
let current: Location = read();
const guards = new Set<{ message: string }>();
let pending: PendingLeave | null = null;

function read(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

function notify(): void {
  for (const listener of listeners) listener();
}

function changed(): void {
  const next = read();
  if (next.pathname === current.pathname && next.search === current.search) return;
  current = next;
  notify();
}

function guardMessage(): string | null {
  for (const guard of guards) return guard.message;
  return null;
}

window.addEventListener("popstate", () => {
  const message = guardMessage();
  const next = read();
  if (message !== null && next.pathname !== current.pathname) {
    // Back or Forward left a guarded page: stay (the address too) and ask first.
    window.history.pushState(null, "", current.pathname + current.search);
    pending = { to: next.pathname + next.search, replace: false, message };
    notify();
    return;
  }
  changed();
});

/**
 * Go to `to`. While a leave guard is set, the move waits for `confirmLeave()` (or is dropped
 * by `stayHere()`); `force` skips the guard (signing out, a session that ended).
 */
export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): void {
  const message = options.force ? null : guardMessage();
  const target = new URL(to, window.location.href);
  if (message !== null && target.pathname !== current.pathname) {
    pending = { to, replace: options.replace ?? false, message };
    notify();
    return;
  }
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  changed();
  window.scrollTo(0, 0);
}

/** Leave after all: the guarded page's work is dropped. */
export function confirmLeave(): void {
  const leave = pending;
  pending = null;
  notify();
  if (leave?.run) leave.run();
  else if (leave) navigate(leave.to, { replace: leave.replace, force: true });
}

/** Run `action` (which leaves the page, e.g. signing out) now, or once the person confirms
 * when a leave guard is set. */
export function leaveThen(action: () => void): void {
  const message = guardMessage();
  if (message === null) {
    action();
    return;
  }
  pending = { to: current.pathname + current.search, replace: false, message, run: action };
  notify();
}

/** Stay on the page (its work stays as it is). */
export function stayHere(): void {
  pending = null;
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLocation(): Location {
  return useSyncExternalStore(subscribe, () => current);
}

export function usePendingLeave(): PendingLeave | null {
  return useSyncExternalStore(subscribe, () => pending);
}

function onBeforeUnload(event: BeforeUnloadEvent): void {
  if (guardMessage() === null) return;
  event.preventDefault();
  event.returnValue = ""; // older browsers need it set to show their question
}

/** While `message` is not null, leaving this page asks first (`message` says what is lost). */
export function useLeaveGuard(message: string | null): void {
  useEffect(() => {
    if (message === null) return;
    const guard = { message };
    guards.add(guard);
    if (guards.size === 1) window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      guards.delete(guard);
      if (guards.size === 0) window.removeEventListener("beforeunload", onBeforeUnload);
      if (pending && guards.size === 0) stayHere();
    };
  }, [message]);
}

export { matchPath, safeNext, type Params } from "./paths";
