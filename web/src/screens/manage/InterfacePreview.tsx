import { Component, useEffect, useMemo, useState, type ReactNode } from "react";
import type { JsonObject } from "../../api";
import { parseInterface } from "../../editor/interface";
import { EditorStore } from "../../editor/store";
import { WidgetShared } from "../../kinds/registry";
import { TaskView } from "../annotate/TaskView";
import { previewData } from "./interfaceText";

interface InterfacePreviewProps {
  /** The parsed interface to show (the last one without problems). */
  value: JsonObject | null;
  /** A real task's data to show it on, or null for placeholders. */
  sample: JsonObject | null;
  /** The text has problems: the preview shows the last good version. */
  stale: boolean;
}

/** The annotation view as annotators will see it, with the real widgets, on a sample task. */
export function InterfacePreview({ value, sample, stale }: InterfacePreviewProps) {
  const shown = useDebounced(value, 250);
  const view = useMemo(() => {
    if (!shown) return null;
    const iface = parseInterface(shown);
    const data = previewData(shown, sample);
    const store = new EditorStore(iface, data, {});
    store.focus(null); // the preview must not take the keyboard from the text
    return { store, data, shared: new WidgetShared() };
  }, [shown, sample]);
  return (
    <section className="iface-preview" aria-label="Preview of the annotation view">
      <header className="iface-preview-head">
        <h3>Preview</h3>
        <span className="muted small">
          {sample ? "on the project's first task" : "on placeholder data"} · try it: answers here are not saved
        </span>
      </header>
      {stale && view ? <p className="iface-preview-stale small">Showing the last version without problems.</p> : null}
      {view ? (
        <PreviewBoundary key={JSON.stringify(shown)}>
          <div
            className="task iface-preview-task"
            onKeyDownCapture={(event) => {
              // Tab leaves the preview as on any page (the annotate screen uses it between questions).
              if (event.key === "Tab") event.stopPropagation();
            }}
          >
            <TaskView store={view.store} data={view.data} shared={view.shared} />
          </div>
        </PreviewBoundary>
      ) : (
        <p className="muted iface-preview-empty">The preview appears once the interface can be read.</p>
      )}
    </section>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setCurrent(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return current;
}

class PreviewBoundary extends Component<{ children: ReactNode }, { failed: string | null }> {
  override state = { failed: null as string | null };
  static getDerivedStateFromError(error: unknown): { failed: string } {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
  override render(): ReactNode {
    if (this.state.failed) return <p className="muted iface-preview-empty">The preview cannot show this interface yet ({this.state.failed}).</p>;
    return this.props.children;
  }
}
