/** Ticking tasks in the data manager and deleting them (managers), with a confirmation that
 * says how many tasks and annotations go. */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, type TaskFilter, type TasksDeleted } from "../../../api";
import { ConfirmDialog } from "../../../ui/ConfirmDialog";
import { Notice } from "../../../ui/Notice";
import { isHandled, messageOf } from "../errors";
import type { RowSelection } from "./TaskTable";
import type { TaskPages } from "./taskPages";

/** The server deletes at most this many tasks a call; more go in several calls. */
export const DELETE_BATCH = 1000;

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** Ticked tasks: id → its annotations when ticked. Cleared whenever `key` (the query) changes. */
export function useTicks(key: string, pages: TaskPages | null, onDeleteKey: () => void) {
  const [ticked, setTicked] = useState<Map<number, number>>(() => new Map());
  const anchor = useRef<number | null>(null);
  useEffect(() => {
    setTicked(new Map());
    anchor.current = null;
  }, [key]);
  const toggle = useCallback(
    (index: number, range: boolean) => {
      if (!pages) return;
      const task = pages.row(index);
      if (!task) return;
      const last = range ? anchor.current : null;
      const from = last !== null ? Math.min(last, index) : index;
      const to = last !== null ? Math.max(last, index) : index;
      setTicked((before) => {
        const next = new Map(before);
        const on = !before.has(task.id);
        for (let i = from; i <= to; i++) {
          const row = pages.row(i);
          if (!row) continue;
          if (on) next.set(row.id, row.annotations);
          else next.delete(row.id);
        }
        return next;
      });
      anchor.current = index;
    },
    [pages],
  );
  const selection: RowSelection = useMemo(() => ({ has: (id) => ticked.has(id), toggle, onDeleteKey }), [ticked, toggle, onDeleteKey]);
  return { ticked, setTicked, selection };
}

interface DeletionBarProps {
  projectId: number;
  filter: TaskFilter;
  /** Tasks matching the filters. */
  total: number | null;
  ticked: Map<number, number>;
  setTicked: (ticked: Map<number, number>) => void;
  confirming: boolean;
  setConfirming: (open: boolean) => void;
  /** After a deletion: reload the table and the progress. */
  onDeleted: () => void;
}

/** What is ticked, ways to tick everything matching or nothing, and the delete button. */
export function DeletionBar({ projectId, filter, total, ticked, setTicked, confirming, setConfirming, onDeleted }: DeletionBarProps) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const annotations = [...ticked.values()].reduce((sum, n) => sum + n, 0);
  const count = ticked.size;

  async function tickAll(): Promise<void> {
    setOutcome(null);
    try {
      const page = await api.tasks.list(projectId, filter, 0, DELETE_BATCH);
      setTicked(new Map(page.items.map((t) => [t.id, t.annotations])));
    } catch (error) {
      if (!isHandled(error)) setOutcome({ tone: "error", text: `Could not tick every task: ${messageOf(error)}` });
    }
  }

  async function remove(): Promise<void> {
    setBusy(true);
    setOutcome(null);
    const ids = [...ticked.keys()];
    const done: TasksDeleted = { deleted: 0, task_ids: [], annotations: 0, missing: [] };
    try {
      for (let start = 0; start < ids.length; start += DELETE_BATCH) {
        const part = await api.tasks.delete(projectId, ids.slice(start, start + DELETE_BATCH));
        done.deleted += part.deleted;
        done.annotations += part.annotations;
        done.missing.push(...part.missing);
      }
      const gone = done.missing.length ? ` ${plural(done.missing.length, "task was", "tasks were")} deleted already.` : "";
      setOutcome({ tone: "success", text: `Deleted ${plural(done.deleted, "task")} and ${plural(done.annotations, "annotation")}.${gone}` });
      setTicked(new Map());
    } catch (error) {
      const partly = done.deleted ? ` (${plural(done.deleted, "task")} were deleted before the failure)` : "";
      if (!isHandled(error)) setOutcome({ tone: "error", text: `Could not delete the tasks${partly}: ${messageOf(error)}` });
    } finally {
      setBusy(false);
      setConfirming(false);
      if (done.deleted) onDeleted();
    }
  }

  return (
    <div className="data-ticks" aria-label="Ticked tasks">
      <div className="data-ticks-bar">
        <span className="small" aria-live="polite">
          {count ? <strong>{plural(count, "task")} ticked</strong> : <span className="muted">Tick tasks (click the box, or Space on a row) to delete them.</span>}
        </span>
        {total !== null && total > 0 && total <= DELETE_BATCH && count < total ? (
          <button type="button" className="button-quiet" onClick={() => void tickAll()}>
            Tick all {total.toLocaleString()}
          </button>
        ) : null}
        {count ? (
          <>
            <button type="button" className="button-quiet" onClick={() => setTicked(new Map())}>
              Untick all
            </button>
            <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
              Delete selected…
            </button>
          </>
        ) : null}
      </div>
      {outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}
      {confirming && count ? (
        <ConfirmDialog
          title={`Delete ${plural(count, "task")}?`}
          confirmLabel={`Delete ${plural(count, "task")} and ${plural(annotations, "annotation")}`}
          tone="danger"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            <strong>{plural(count, "task")}</strong> will be deleted, with their <strong>{plural(annotations, "annotation")}</strong> and any drafts,
            skips and model predictions they have.
          </p>
          <p className="muted small">This cannot be undone. Export the project first if you want to keep a copy. The audit log records what was deleted.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
