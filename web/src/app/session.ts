/**
 * Who is signed in, as a tiny store the whole app reads with `useSession()`.
 * `boot()` asks the server once at start; a 401 anywhere later (`expire`) clears the
 * session and sends the person to sign-in, remembering where they were.
 */
import { useSyncExternalStore } from "react";
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type User } from "../api";
import { navigate } from "./router";

export type SessionState =
  | { status: "loading" }
  | { status: "signed-out"; reason: string | null }
  | { status: "signed-in"; user: User };

let state: SessionState = { status: "loading" };
const listeners = new Set<() => void>();

function set(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

export function signInPath(): string {
  const here = window.location.pathname + window.location.search;
  if (window.location.pathname === "/signin") return here;
  return here === "/" ? "/signin" : `/signin?next=${encodeURIComponent(here)}`;
}

/** Called for any 401: the work in progress is in localStorage already, so nothing is lost. */
function expire(error: ApiError): void {
  if (state.status !== "signed-in") return;
  setCsrfToken("");
  set({
    status: "signed-out",
    reason:
      error.code === "session_expired" || error.code === "unauthorized"
        ? "Your session ended. Sign in again to carry on where you were: your work is kept in this browser."
        : error.message,
  });
  navigate(signInPath(), { replace: true, force: true });
}

export async function boot(): Promise<void> {
  setUnauthorizedHandler(expire);
  try {
    const session = await api.session.current();
    if (session.user === null) {
      set({ status: "signed-out", reason: null });
      return;
    }
    setCsrfToken(session.csrf_token);
    set({ status: "signed-in", user: session.user });
  } catch (error) {
    if (error instanceof ApiError && error.isUnauthorized) set({ status: "signed-out", reason: null });
    else set({ status: "signed-out", reason: error instanceof Error ? error.message : String(error) });
  }
}

/** Ask the server who is signed in again (an admin may have changed the account since). */
export async function refreshUser(): Promise<void> {
  if (state.status !== "signed-in") return;
  const session = await api.session.current();
  if (session.user !== null) set({ status: "signed-in", user: session.user });
}

/** Whether this account may create projects (admins always may). */
export const mayCreateProjects = (user: User): boolean => user.is_admin || user.can_create_projects;

export async function signIn(email: string, password: string): Promise<void> {
  const session = await api.session.signIn(email, password);
  setCsrfToken(session.csrf_token);
  set({ status: "signed-in", user: session.user });
}

export async function signOut(): Promise<void> {
  try {
    await api.session.signOut();
  } finally {
    setCsrfToken("");
    set({ status: "signed-out", reason: null });
    navigate("/signin", { replace: true, force: true });
  }
}
