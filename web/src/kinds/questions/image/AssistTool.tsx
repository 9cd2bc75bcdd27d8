/**
 * The Assist button of a masks or polygons question's card (assist.ts does the work): shown
 * when the screen annotates a task (the server needs its id), pressed while the tool is on,
 * "working…" while the server runs, and the server's refusal when there is one.
 */
import { useContext, useLayoutEffect, useSyncExternalStore } from "react";
import { WidgetContext } from "../../widgetShared";
import { assistSnapshot, setAssistTask, startAssist, stopAssist, subscribeAssist } from "./assist";
import type { ImageEditor } from "./editor";

export function AssistTool({ editor }: { editor: ImageEditor }) {
  const shared = useContext(WidgetContext);
  const taskId = shared.taskId;
  useLayoutEffect(() => {
    setAssistTask(editor, taskId);
    return () => stopAssist(editor);
  }, [editor, taskId]);
  const snapshot = useSyncExternalStore(
    (listener) => subscribeAssist(editor, listener),
    () => assistSnapshot(editor),
  );
  if (taskId === null || (editor.kind !== "masks" && editor.kind !== "polygons")) return null;
  const on = snapshot.phase !== "off";
  return (
    <div className="shape-tools" role="toolbar" aria-label="Assist">
      <button
        type="button"
        tabIndex={-1}
        className="shape-tool"
        aria-pressed={on}
        data-assist={snapshot.phase}
        title="Drag a rough box around an object; the server outlines it (GrabCut)"
        onClick={() => (on ? stopAssist(editor, "assist off") : startAssist(editor))}
      >
        <kbd>A</kbd> Assist{snapshot.phase === "working" ? " — working…" : ""}
      </button>
      {snapshot.error ? (
        <span className="small" style={{ color: "var(--danger)" }} role="alert" data-assist-error="">
          {snapshot.error}
        </span>
      ) : null}
    </div>
  );
}
