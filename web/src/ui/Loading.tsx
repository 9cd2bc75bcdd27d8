import { Notice } from "./Notice";
import type { Loaded } from "./useLoad";
import type { ReactNode } from "react";

/** Render `children(value)` once loaded; a calm placeholder before, the error after. */
export function Loading<T>({ state, children, retry }: { state: Loaded<T>; children: (value: T) => ReactNode; retry?: () => void }) {
  if (state.status === "loading") return <p className="muted loading" aria-busy="true">Loading…</p>;
  if (state.status === "error")
    return (
      <Notice tone="error" actions={retry ? <button type="button" onClick={retry}>Try again</button> : undefined}>
        {state.error.message}
      </Notice>
    );
  return <>{children(state.value)}</>;
}
