import type { ReactNode } from "react";

type Tone = "error" | "warning" | "info" | "success";

/** A message box; errors are announced to screen readers at once. */
export function Notice({ tone, children, actions }: { tone: Tone; children: ReactNode; actions?: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <div className="notice-text">{children}</div>
      {actions ? <div className="notice-actions">{actions}</div> : null}
    </div>
  );
}
