import type { Task } from "../api";
import "./shield.css";

/** On the task page: the task is sensitive, or its data was deleted under the retention policy. */
export function TaskFlags({ task }: { task: Task }) {
  return (
    <>
      {task.sensitive ? <span className="shield-tag">Sensitive</span> : null}
      {task.data_deleted ? (
        <span className="shield-note shield-deleted small" role="status">
          This task&apos;s data was deleted under the project&apos;s retention policy; its answers are kept.
        </span>
      ) : null}
    </>
  );
}
