import type { Orphans } from "../../api";
import { Notice } from "../../ui/Notice";

/**
 * The server's 409 refusal of an interface change that would orphan work: what, how many,
 * which, and what a manager can do about it (links open in a new tab, so that the edits on
 * this page stay where they are).
 */
export function OrphansNotice({ message, orphans, projectId }: { message: string; orphans: Orphans[]; projectId: number | null }) {
  return (
    <Notice tone="error">
      <p className="orphans-title">
        <strong>Not saved.</strong> {message}
      </p>
      <table className="table orphans-table">
        <caption className="visually-hidden">What the change would orphan</caption>
        <thead>
          <tr>
            <th scope="col">Question or field</th>
            <th scope="col">What</th>
            <th scope="col">How many</th>
            <th scope="col">Why</th>
            <th scope="col">Examples</th>
          </tr>
        </thead>
        <tbody>
          {orphans.map((o, i) => (
            <tr key={i}>
              <td>
                <code>{o.name}</code>
              </td>
              <td>{o.kind}</td>
              <td className="num">{o.count.toLocaleString()}</td>
              <td>{o.reason}</td>
              <td>
                <ExampleIds orphans={o} projectId={projectId} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {projectId !== null ? <Advice orphans={orphans} projectId={projectId} /> : null}
    </Notice>
  );
}

const NEW_TAB = { target: "_blank", rel: "noopener" } as const;

/** What a manager can do: keep the question or field as it was, or delete what it would orphan. */
function Advice({ orphans, projectId }: { orphans: Orphans[]; projectId: number }) {
  const kinds = new Set(orphans.map((o) => o.kind));
  const questions = [...new Set(orphans.filter((o) => o.kind !== "tasks").map((o) => o.name))];
  return (
    <div className="orphans-advice">
      <p>
        <strong>To go ahead</strong>, keep what is named above as it was, or export the project to keep a copy and then delete what would be orphaned:
      </p>
      <ul>
        {kinds.has("annotations") ? (
          <li>
            Annotations: open each task in Data (
            {questions.map((name, i) => (
              <span key={name}>
                {i ? ", " : ""}
                <a href={`/projects/${projectId}/data?question=${encodeURIComponent(name)}`} {...NEW_TAB}>
                  tasks answering “{name}”
                </a>
              </span>
            ))}
            , or the example ids above) and press <em>Delete annotation</em>. The task goes back to the queue for a new answer.
          </li>
        ) : null}
        {kinds.has("tasks") ? (
          <li>
            Tasks: in{" "}
            <a href={`/projects/${projectId}/data`} {...NEW_TAB}>
              Data
            </a>
            , tick them and press <em>Delete selected</em> (their annotations go with them).
          </li>
        ) : null}
        {kinds.has("predictions") ? (
          <li>Predictions go only with their task: delete the tasks that carry them in Data, or keep the question as it was.</li>
        ) : null}
      </ul>
      <p className="muted small">Links open in a new tab: your edits here stay. Save again once the work is deleted.</p>
    </div>
  );
}

function ExampleIds({ orphans, projectId }: { orphans: Orphans; projectId: number | null }) {
  const what = orphans.kind === "tasks" ? "task" : orphans.kind === "annotations" ? "annotation" : "prediction";
  const href = (id: number): string | null => {
    if (projectId === null) return null;
    if (orphans.kind === "tasks") return `/projects/${projectId}/tasks/${id}`;
    if (orphans.kind === "annotations") return `/projects/${projectId}/annotations/${id}`;
    return null;
  };
  return (
    <span className="orphans-ids">
      {orphans.ids.slice(0, 10).map((id, i) => {
        const to = href(id);
        return (
          <span key={id}>
            {i ? ", " : `${what} `}
            {to ? (
              <a href={to} {...NEW_TAB}>
                {id}
              </a>
            ) : (
              id
            )}
          </span>
        );
      })}
      {orphans.count > Math.min(10, orphans.ids.length) ? <span className="muted">, …</span> : null}
    </span>
  );
}

