import type { Orphans } from "../../api";
import { Link } from "../../app/Link";
import { Notice } from "../../ui/Notice";

/** The server's 409 refusal of an interface change that would orphan work: what, how many, which. */
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
    </Notice>
  );
}

function ExampleIds({ orphans, projectId }: { orphans: Orphans; projectId: number | null }) {
  const what = orphans.kind === "tasks" ? "task" : orphans.kind === "annotations" ? "annotation" : "prediction";
  return (
    <span className="orphans-ids">
      {orphans.ids.slice(0, 10).map((id, i) => (
        <span key={id}>
          {i ? ", " : `${what} `}
          {orphans.kind === "tasks" && projectId !== null ? <Link to={`/projects/${projectId}/tasks/${id}`}>{id}</Link> : id}
        </span>
      ))}
      {orphans.count > Math.min(10, orphans.ids.length) ? <span className="muted">, …</span> : null}
    </span>
  );
}
