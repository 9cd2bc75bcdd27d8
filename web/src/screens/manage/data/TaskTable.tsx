import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent, type UIEvent } from "react";
import type { Task, TaskRow as Row, TaskSort } from "../../../api";
import { Link } from "../../../app/Link";
import { navigate } from "../../../app/router";
import type { JsonObject } from "../../../api/types";
import { firstPicture, namedPictures } from "./pictures";
import { dataPreview } from "./rowText";
import type { TaskPages } from "./taskPages";

export const ROW = 32; // px, also in manage.css (.task-row)
/** Browsers cap an element's height (Firefox near 17.9 million px): past this the scrollbar is scaled. */
const MAX_SCROLL = 8_000_000;
const OVERSCAN = 4;

const STATUS_NAMES: Record<Task["status"], string> = { new: "New", in_progress: "In progress", complete: "Complete" };

interface TaskTableProps {
  pages: TaskPages;
  projectId: number;
  sort: TaskSort;
  onSort: (sort: TaskSort) => void;
  /** Where the table was (rows scrolled past, the current row), to come back to. */
  memory: { top: number; current: number };
  /** Ticking rows (managers, to delete them); null: no tick column. */
  selection?: RowSelection | null;
}

/** The ticked rows, kept by the data manager (they survive scrolling and page reloads). */
export interface RowSelection {
  has: (taskId: number) => boolean;
  /** Tick or untick one row; `range`: also every loaded row since the last one ticked. */
  toggle: (index: number, range: boolean) => void;
  /** Delete (the key) was pressed in the table. */
  onDeleteKey: () => void;
}

/**
 * The tasks as a virtual grid: only the rows on screen exist in the page, placeholders stand
 * for rows still loading, and the scrollbar covers every row (scaled past a few million px).
 * Keys: ↑/↓, Page Up/Down, Home/End move the current row; Enter opens it; with ticks, Space
 * ticks the current row (Shift+Space: the rows since the last tick) and Delete deletes them.
 */
export function TaskTable({ pages, projectId, sort, onSort, memory, selection = null }: TaskTableProps) {
  const state = useSyncExternalStore(pages.subscribe, pages.getSnapshot);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [current, setCurrent] = useState(memory.current);
  const total = state.total ?? 0;

  const contentHeight = total * ROW;
  const spacer = Math.max(Math.min(contentHeight, MAX_SCROLL), height);
  const maxScroll = Math.max(0, spacer - height);
  const maxContent = Math.max(0, contentHeight - height);
  const scale = maxScroll > 0 ? maxContent / maxScroll : 1;
  const contentTop = Math.min(maxContent, scrollTop * scale);
  const first = Math.max(0, Math.floor(contentTop / ROW) - OVERSCAN);
  const last = Math.min(Math.max(total, 1) - 1, Math.ceil((contentTop + height) / ROW) + OVERSCAN);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Back from a task: the same place.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && memory.top && state.total !== null && element.scrollTop === 0) {
      element.scrollTop = memory.top;
      setScrollTop(element.scrollTop);
    }
  }, [state.total !== null]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    pages.want(first, state.total === null ? first + Math.ceil(height / ROW) : last);
  }, [pages, first, last, height, state.total]);

  function onScroll(event: UIEvent<HTMLDivElement>): void {
    const top = event.currentTarget.scrollTop;
    memory.top = top;
    setScrollTop(top);
  }

  function moveTo(index: number): void {
    const next = Math.max(0, Math.min(total - 1, index));
    setCurrent(next);
    memory.current = next;
    const element = scroller.current;
    if (!element) return;
    const rowTop = next * ROW;
    let target = contentTop;
    if (rowTop < contentTop) target = rowTop;
    else if (rowTop + ROW > contentTop + height) target = rowTop + ROW - height;
    if (target !== contentTop) element.scrollTop = scale > 0 ? Math.round(target / scale) : target;
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const visible = Math.max(1, Math.floor(height / ROW) - 1);
    const moves: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + visible,
      PageUp: current - visible,
      Home: 0,
      End: total - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key] as number);
    } else if (selection && event.key === " ") {
      event.preventDefault();
      if (pages.row(current)) selection.toggle(current, event.shiftKey);
    } else if (selection && event.key === "Delete") {
      event.preventDefault();
      selection.onDeleteKey();
    } else if (event.key === "Enter") {
      const task = pages.row(current);
      if (task) {
        event.preventDefault();
        navigate(`/projects/${projectId}/tasks/${task.id}`);
      }
    }
  }

  const rows = [];
  if (total > 0) {
    for (let index = first; index <= last; index++) {
      rows.push(
        <TaskRow key={index} index={index} task={pages.row(index)} top={index * ROW - contentTop} current={index === current} projectId={projectId} selection={selection} />,
      );
    }
  }

  return (
    <div className={selection ? "task-grid task-grid-selectable" : "task-grid"} role="grid" aria-rowcount={total + 1} aria-label="Tasks" aria-busy={state.loading > 0}>
      <div className="task-row task-head" role="row" aria-rowindex={1}>
        {selection ? (
          <div role="columnheader" className="task-cell task-cell-tick">
            <span className="visually-hidden">Ticked</span>
          </div>
        ) : null}
        <SortHeader label="Id" column="id" sort={sort} onSort={onSort} />
        <div role="columnheader" className="task-cell">External id</div>
        <div role="columnheader" className="task-cell">Status</div>
        <SortHeader label="Annotations" column="annotations" sort={sort} onSort={onSort} />
        <div role="columnheader" className="task-cell task-cell-num" title="How many people skipped the task">
          Skips
        </div>
        <div role="columnheader" className="task-cell">Data</div>
      </div>
      <div
        ref={scroller}
        className="task-grid-scroll"
        tabIndex={0}
        role="rowgroup"
        aria-activedescendant={total > 0 ? `task-row-${current}` : undefined}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        data-first-page-ms={state.firstPageMs?.toFixed(1) ?? ""}
        data-total={state.total ?? ""}
      >
        <div className="task-grid-spacer" style={{ height: spacer }}>
          <div className="task-grid-window" style={{ height }}>
            {rows}
            {state.total === 0 ? <p className="task-grid-empty muted">No task matches these filters.</p> : null}
            {state.total === null && !state.error ? <p className="task-grid-empty muted">Loading tasks…</p> : null}
          </div>
        </div>
      </div>
    </div>
  );
}

interface TaskRowProps {
  index: number;
  task: Row | null;
  top: number;
  current: boolean;
  projectId: number;
  selection: RowSelection | null;
}

function TaskRow({ index, task, top, current, projectId, selection }: TaskRowProps) {
  const ticked = task !== null && selection !== null && selection.has(task.id);
  const className = `task-row${current ? " task-row-current" : ""}${task ? "" : " task-row-loading"}${ticked ? " task-row-ticked" : ""}`;
  const style = { transform: `translateY(${top}px)` };
  if (!task) {
    return (
      <div id={`task-row-${index}`} className={className} style={style} role="row" aria-rowindex={index + 2} data-row={index} data-loaded="0">
        {selection ? <div role="gridcell" className="task-cell task-cell-tick" /> : null}
        <div role="gridcell" className="task-cell" aria-label="loading">
          <span className="skeleton" />
        </div>
        <div role="gridcell" className="task-cell"><span className="skeleton" /></div>
        <div role="gridcell" className="task-cell"><span className="skeleton" /></div>
        <div role="gridcell" className="task-cell"><span className="skeleton skeleton-short" /></div>
        <div role="gridcell" className="task-cell"><span className="skeleton skeleton-short" /></div>
        <div role="gridcell" className="task-cell"><span className="skeleton skeleton-long" /></div>
      </div>
    );
  }
  const open = `/projects/${projectId}/tasks/${task.id}`;
  return (
    <div
      id={`task-row-${index}`}
      className={className}
      style={style}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={current}
      data-row={index}
      data-loaded="1"
      data-task-id={task.id}
      data-ticked={ticked ? "1" : undefined}
      onClick={(event) => {
        const target = event.target as HTMLElement;
        if (!(target instanceof HTMLAnchorElement) && !target.closest(".task-cell-tick")) navigate(open);
      }}
    >
      {selection ? (
        <div role="gridcell" className="task-cell task-cell-tick">
          <input
            type="checkbox"
            tabIndex={-1}
            checked={ticked}
            aria-label={`Tick task ${task.id}`}
            onChange={() => {}}
            onClick={(event) => {
              event.stopPropagation();
              selection.toggle(index, event.shiftKey);
            }}
          />
        </div>
      ) : null}
      <div role="gridcell" className="task-cell task-cell-num">
        <Link to={open} tabIndex={-1}>
          {task.id}
        </Link>
      </div>
      <div role="gridcell" className="task-cell">{task.external_id ?? <span className="muted">—</span>}</div>
      <div role="gridcell" className="task-cell">
        <span className={`status status-${task.status}`}>{STATUS_NAMES[task.status]}</span>
      </div>
      <div role="gridcell" className="task-cell task-cell-num">{task.annotations}</div>
      <div role="gridcell" className="task-cell task-cell-num" data-skips={task.skips}>
        {task.skips ? <span className="skips-count" title={`Skipped by ${task.skips} ${task.skips === 1 ? "person" : "people"}: open the task for who and why`}>{task.skips}</span> : <span className="muted">0</span>}
      </div>
      <DataCell data={task.data} />
    </div>
  );
}

const PICTURE_STYLE = { width: 40, height: 26, objectFit: "contain", verticalAlign: "middle", marginRight: 8, borderRadius: 2, background: "#eceff3" } as const;

/** The task's data as one line of text, after a small picture of its first image (its
 * thumbnail, or the image itself scaled down while no thumbnail exists). */
function DataCell({ data }: { data: JsonObject }) {
  const picture = firstPicture(data);
  const text = dataPreview(picture ? namedPictures(data) : data);
  return (
    <div role="gridcell" className="task-cell task-cell-data" title={text}>
      {picture ? (
        <img
          key={picture}
          className="task-picture"
          src={picture}
          alt=""
          loading="lazy"
          decoding="async"
          draggable={false}
          style={PICTURE_STYLE}
          onError={(event) => {
            event.currentTarget.style.display = "none"; // an expired link or a blocked address: the text stays
          }}
        />
      ) : null}
      {text}
    </div>
  );
}

function SortHeader({ label, column, sort, onSort }: { label: string; column: "id" | "annotations"; sort: TaskSort; onSort: (sort: TaskSort) => void }) {
  const ascending = sort === column;
  const descending = sort === `-${column}`;
  const next: TaskSort = ascending ? (`-${column}` as TaskSort) : column;
  return (
    <div role="columnheader" className="task-cell" aria-sort={ascending ? "ascending" : descending ? "descending" : "none"}>
      <button type="button" className="sort-button" onClick={() => onSort(next)} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {ascending ? "▲" : descending ? "▼" : "↕"}
        </span>
      </button>
    </div>
  );
}
