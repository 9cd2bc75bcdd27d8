import { useEffect, useRef, useState, type CSSProperties, type ReactNode, type SyntheticEvent } from "react";
import { ApiError } from "../api/http";
import { sensitiveApi, type Exposure, type TaskHandling } from "../api/sensitive";
import { isTypingTarget } from "../kinds/types";
import { Kbd } from "../ui/Kbd";
import { blocksCopyAt, shieldKey, watermarkImage } from "./shield";
import "./shield.css";

interface Props {
  projectId: number;
  taskId: number;
  /** What the lease said (task.sensitive): the task is veiled from the first paint. */
  sensitive?: boolean;
  /** The caller works on the task (annotate, review): their sensitive count, break and
   * limit are shown. False on a manager's task page, which only looks at it. */
  atWork?: boolean;
  /** The task view, given the shield's bar to show above the questions. */
  children: (bar: ReactNode) => ReactNode;
}

/**
 * The task view's data handling (docs/confidentiality.md): a sensitive task's media blurred
 * and text collapsed until the annotator reveals it (h; per task view), marking a task
 * sensitive (Shift+H), the project's watermark and copy blocking, and the break prompt.
 * Wraps the view without a box of its own (display: contents), so the layout is unchanged.
 * Used by the annotate and review screens, and by the manager's task page (`atWork` false).
 */
export function TaskShield({ projectId, taskId, sensitive: leased = false, atWork = true, children }: Props) {
  const [handling, setHandling] = useState<TaskHandling | null>(null);
  const [sensitive, setSensitive] = useState(leased);
  const [revealed, setRevealed] = useState(false);
  const [exposure, setExposure] = useState<Exposure | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setRevealed(false);
    setSensitive(leased);
    setNote(null);
    setExposure(null);
    void sensitiveApi.taskHandling(taskId).then((found) => {
      if (!live) return;
      setHandling(found);
      setSensitive(found.sensitive);
      // where one stands today (break due, limit) matters on sensitive tasks only
      if (found.sensitive && atWork) void sensitiveApi.me(projectId).then((mine) => live && setExposure(announced(mine)));
    });
    return () => {
      live = false;
    };
  }, [projectId, taskId, leased, atWork]);

  async function mark(next: boolean): Promise<void> {
    try {
      const done = await sensitiveApi.mark(taskId, next);
      setSensitive(done.sensitive);
      if (done.sensitive) setRevealed(false);
      setNote(done.sensitive ? "Marked sensitive: hidden until revealed, and served only to annotators who opted in." : "Unmarked: no longer sensitive.");
    } catch (error) {
      setNote(error instanceof ApiError ? error.message : "Could not change the task; try again.");
    }
  }

  async function tookBreak(): Promise<void> {
    setExposure(announced(await sensitiveApi.takeBreak(projectId)));
  }

  const actions = useRef({ mark, tookBreak, sensitive, revealed, exposure });
  actions.current = { mark, tookBreak, sensitive, revealed, exposure };
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || isTypingTarget(event.target) || document.querySelector("[role=dialog]")) return;
      const what = shieldKey(event);
      const now = actions.current;
      if (what === "reveal" && now.sensitive) setRevealed((shown) => !shown);
      else if (what === "mark" && !now.sensitive) void now.mark(true);
      else if (what === "break" && now.exposure?.break_due) void now.tookBreak();
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const blockCopy = handling?.block_copy ?? false;
  function guard(event: SyntheticEvent): void {
    if (blockCopy && blocksCopyAt(event.target)) event.preventDefault();
  }
  const classes = ["task-shield"];
  if (sensitive && !revealed) classes.push("task-veiled");
  if (handling?.watermark) classes.push("task-watermarked");
  if (blockCopy) classes.push("task-no-copy");
  const style = handling?.watermark ? ({ "--task-watermark": watermarkImage(handling.viewer.name, handling.viewer.email, new Date(handling.at)) } as CSSProperties) : undefined;

  const bar = (
    <div className="shield-bar" data-testid="shield-bar">
      {handling?.data_deleted_at ? (
        <p className="shield-note shield-deleted" role="status">
          This task&apos;s data was deleted under the project&apos;s retention policy ({new Date(handling.data_deleted_at).toLocaleDateString()}); its answers are kept.
        </p>
      ) : null}
      {sensitive ? (
        <div className="shield-sensitive" role="status">
          <span className="shield-tag">Sensitive content</span>
          <button type="button" className="button-quiet" onClick={() => setRevealed((shown) => !shown)} aria-pressed={revealed}>
            {revealed ? "Hide it" : "Reveal it"} <Kbd keys="h" />
          </button>
          {handling?.may_unmark ? (
            <button type="button" className="button-quiet" onClick={() => void mark(false)}>
              Unmark
            </button>
          ) : null}
        </div>
      ) : (
        <button type="button" className="button-quiet shield-mark" onClick={() => void mark(true)}>
          Mark sensitive <Kbd keys="Shift+H" />
        </button>
      )}
      {exposure?.break_due ? (
        <div className="shield-break" role="alert">
          <p>
            <strong>Time for a break.</strong> You have worked on {exposure.streak} sensitive task{exposure.streak === 1 ? "" : "s"} in a row
            {exposure.streak_minutes >= 1 ? ` (${Math.round(exposure.streak_minutes)} min)` : ""}. Step away for a few minutes.
          </p>
          <button type="button" onClick={() => void tookBreak()}>
            I took a break <Kbd keys="b" />
          </button>
        </div>
      ) : null}
      {exposure?.limit_reached ? (
        <p className="shield-note" role="status">
          You reached today&apos;s limit of {exposure.limit} sensitive tasks: until the day ends (UTC) you get other tasks only.
        </p>
      ) : null}
      {blockCopy ? <p className="shield-note muted small">Copying from this task is disabled by the project.</p> : null}
      {note ? <p className="shield-note small">{note}</p> : null}
    </div>
  );

  return (
    <div className={classes.join(" ")} style={style} onCopy={guard} onCut={guard} onContextMenu={guard} onDragStart={guard} data-sensitive={sensitive ? (revealed ? "revealed" : "veiled") : undefined}>
      {children(bar)}
    </div>
  );
}

const EXPOSURE_EVENT = "accord:sensitive-exposure";

/** Tell the opt-in box in the top bar the caller's new count. */
function announced(exposure: Exposure): Exposure {
  window.dispatchEvent(new CustomEvent<Exposure>(EXPOSURE_EVENT, { detail: exposure }));
  return exposure;
}

/** Where the caller stands with sensitive work, for the screens without a task (all done). */
export function ExposureNote({ projectId }: { projectId: number }) {
  const [exposure, setExposure] = useState<Exposure | null>(null);
  useEffect(() => {
    void sensitiveApi.me(projectId).then(setExposure);
  }, [projectId]);
  if (!exposure?.limit_reached) return null;
  return (
    <p className="shield-note" role="status">
      You reached today&apos;s limit of {exposure.limit} sensitive tasks: you get other tasks only until the day ends (UTC).
    </p>
  );
}

/** The opt-in change being saved, if any. */
let saving: Promise<unknown> = Promise.resolve();

/** Resolves once no opt-in change is being saved: asking for the next task waits for it, so
 * that ticking "Sensitive tasks" and at once "Check again" is served the sensitive tasks. */
export function optInSaved(): Promise<void> {
  return saving.then(
    () => undefined,
    () => undefined,
  );
}

/** The member's own opt-in to the project's sensitive work (shown on the annotate screen). */
export function SensitiveOptIn({ projectId }: { projectId: number }) {
  const [exposure, setExposure] = useState<Exposure | null>(null);
  useEffect(() => {
    void sensitiveApi.me(projectId).then(setExposure);
    const heard = (event: Event) => setExposure((event as CustomEvent<Exposure>).detail);
    window.addEventListener(EXPOSURE_EVENT, heard);
    return () => window.removeEventListener(EXPOSURE_EVENT, heard);
  }, [projectId]);
  if (!exposure) return null;
  async function choose(optIn: boolean): Promise<void> {
    if (!exposure) return;
    setExposure({ ...exposure, opted_in: optIn }); // at once; the server's answer follows
    const sent = sensitiveApi.optIn(projectId, optIn);
    saving = sent;
    setExposure(await sent.catch(() => ({ ...exposure, opted_in: !optIn })));
  }
  return (
    <label className="shield-opt-in" title="Sensitive tasks are served only to annotators who opt in; you can change this at any time">
      <input type="checkbox" checked={exposure.opted_in} onChange={(event) => void choose(event.target.checked)} />
      Sensitive tasks
      {exposure.opted_in && exposure.served_today ? (
        <span className="shield-today small" data-testid="sensitive-today">
          {" "}
          · {exposure.served_today}
          {exposure.limit ? ` of ${exposure.limit}` : ""} today
        </span>
      ) : null}
    </label>
  );
}
