/**
 * The Smart button of a shape question's card (smart.ts does the work): shown when the screen
 * offers the project's interactive model server (Suggest) and the image is not a video's
 * frame; pressed while the tool is on, "asking the model…" while it answers, and why the last
 * ask failed.
 */
import { useContext, useLayoutEffect, useSyncExternalStore } from "react";
import { useUiState } from "../../uiState";
import { WidgetContext } from "../../widgetShared";
import type { ImageEditor } from "./editor";
import { setSmartModel, smartSnapshot, startSmart, stopSmart, subscribeSmart } from "./smart";

export function SmartTool({ editor, video }: { editor: ImageEditor; video: boolean }) {
  const shared = useContext(WidgetContext);
  const ask = useUiState(shared.model);
  const usable = ask !== null && !video && !shared.readOnly;
  useLayoutEffect(() => {
    setSmartModel(editor, usable ? ask : null);
    return () => stopSmart(editor);
  }, [editor, ask, usable]);
  const snapshot = useSyncExternalStore(
    (listener) => subscribeSmart(editor, listener),
    () => smartSnapshot(editor),
  );
  if (!usable) return null;
  const on = snapshot.phase !== "off";
  return (
    <div className="shape-tools" role="toolbar" aria-label="Smart">
      <button
        type="button"
        tabIndex={-1}
        className="shape-tool"
        aria-pressed={on}
        data-smart={snapshot.phase}
        title="Click an object, or drag a box around it: the project's model server outlines it"
        onClick={() => (on ? stopSmart(editor, "smart tool off") : startSmart(editor))}
      >
        <kbd>I</kbd> Smart{snapshot.phase === "working" ? " — asking the model…" : ""}
      </button>
      {snapshot.error ? (
        <span className="small" style={{ color: "var(--danger)" }} role="alert" data-smart-error="">
          {snapshot.error}
        </span>
      ) : null}
    </div>
  );
}
