import { useId, useLayoutEffect, useState } from "react";
import { problemReports, REPORT_STATUSES, type ProblemReportPage, type ReportStatus } from "../api/problemReports";
import { Layout } from "../app/Layout";
import { Link } from "../app/Link";
import { useSession } from "../app/session";
import { isTypingTarget } from "../kinds/types";
import { Kbd } from "../ui/Kbd";
import { Loading } from "../ui/Loading";
import { NoAccess } from "../ui/NoAccess";
import { Notice } from "../ui/Notice";
import { useLoad } from "../ui/useLoad";
import { OPEN_STATUSES, ReportDetail, StatusBadge, STATUS_LABELS } from "./ReportDetail";
import "./problemReports.css";

/** `/admin/problem-reports`: every report, by status; triage one; export all (admins). */
export function ProblemReportsScreen() {
  const session = useSession();
  const me = session.status === "signed-in" ? session.user : null;
  if (me && !me.is_admin) {
    return (
      <Layout>
        <NoAccess title="Only admins can see this page" links={[{ to: "/problem-reports", label: "My reports" }]}>
          <p>Problem reports are triaged by the admins of this Accord. Your own reports and their status are under My reports.</p>
        </NoAccess>
      </Layout>
    );
  }
  return <Reports admin />;
}

/** `/problem-reports`: the reports you sent and their status. */
export function MyProblemReportsScreen() {
  return <Reports admin={false} />;
}

function Reports({ admin }: { admin: boolean }) {
  const id = useId();
  const [status, setStatus] = useState<ReportStatus | null>(null);
  const [listState, reloadList] = useLoad(() => (admin ? problemReports.list(status) : problemReports.mine()), `reports:${admin}:${status}`);
  const [selected, setSelected] = useState<number | null>(null);
  const [gone, setGone] = useState<number | null>(null);
  const items = listState.status === "ready" ? listState.value.items : [];

  // A layout effect: the keys see the list as drawn (a passive effect may run after a key
  // pressed just after the list changed, e.g. once a report is withdrawn, and pick a gone one).
  useLayoutEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target) || items.length === 0) return;
      if (document.querySelector("dialog[open]")) return; // a confirmation is being answered
      const at = items.findIndex((item) => item.id === selected);
      if (event.key === "j") setSelected(items[Math.min(at + 1, items.length - 1)]!.id);
      else if (event.key === "k") setSelected(items[Math.max(at - 1, 0)]!.id);
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [items, selected]);

  return (
    <Layout wide>
      <div className="reports-screen">
        <h1>{admin ? "Problem reports" : "My problem reports"}</h1>
        <p className="muted">
          {admin ? "What people reported with “Report a problem”, newest first." : "What you reported with “Report a problem”, and what the admins made of it."}{" "}
          Next / previous: <Kbd keys="j" /> / <Kbd keys="k" />
          {admin ? (
            <>
              {" "}
              · Save the triage: <Kbd keys="Mod+Enter" />
            </>
          ) : null}
        </p>
        <div className="reports-page">
          <section aria-label="Reports">
            <div className="reports-filters">
              {admin ? (
                <>
                  <label htmlFor={`${id}-status`}>Status</label>
                  <select id={`${id}-status`} value={status ?? ""} onChange={(event) => setStatus((event.target.value || null) as ReportStatus | null)}>
                    <option value="">All</option>
                    {REPORT_STATUSES.map((value) => (
                      <option key={value} value={value}>
                        {STATUS_LABELS[value]}
                      </option>
                    ))}
                  </select>
                  <a className="button" href={problemReports.exportUrl()} download="problem-reports.json">
                    Export all as JSON
                  </a>
                </>
              ) : (
                <Link to="/">Back to your projects</Link>
              )}
            </div>
            <Loading state={listState} retry={reloadList}>
              {(page) => <ReportList page={page} selected={selected} onSelect={setSelected} admin={admin} />}
            </Loading>
          </section>
          {selected !== null ? (
            <Selected
              key={selected}
              id={selected}
              admin={admin}
              onChanged={reloadList}
              onGone={() => {
                setSelected(null);
                setGone(selected);
                reloadList();
              }}
            />
          ) : (
            <div>
              {gone !== null ? (
                <Notice tone="success">
                  Report #{gone} {admin ? "deleted" : "withdrawn"}.
                </Notice>
              ) : null}
              <p className="muted">Choose a report to see it.</p>
            </div>
          )}
        </div>
      </div>
    </Layout>
  );
}

function ReportList({ page, selected, onSelect, admin }: { page: ProblemReportPage; selected: number | null; onSelect: (id: number) => void; admin: boolean }) {
  if (page.items.length === 0) return <p className="muted">No reports{admin ? " with this status" : " yet: use “Report a problem” at the top of any page"}.</p>;
  return (
    <ul className="reports-list">
      {page.items.map((item) => (
        <li key={item.id}>
          <button type="button" aria-current={item.id === selected} onClick={() => onSelect(item.id)}>
            <strong>#{item.id}</strong> <StatusBadge status={item.status} /> {item.summary.slice(0, 80)}
            <br />
            <span className="muted small">
              {new Date(item.created_at).toLocaleString()}
              {admin && item.reporter ? ` · ${item.reporter.name || item.reporter.email}` : ""}
              {item.page ? ` · ${item.page}` : ""}
              {item.has_screenshot ? " · screenshot" : ""}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function Selected({ id, admin, onChanged, onGone }: { id: number; admin: boolean; onChanged: () => void; onGone: () => void }) {
  const [state, reload] = useLoad(() => problemReports.get(id), `report:${id}`);
  const run = async (): Promise<void> => {
    await problemReports.remove(id);
    onGone();
  };
  return (
    <Loading state={state} retry={reload}>
      {(report) => (
        <ReportDetail
          report={report}
          removal={admin ? { kind: "delete", run } : OPEN_STATUSES.includes(report.status) ? { kind: "withdraw", run } : undefined}
          onTriage={
            admin
              ? async (change) => {
                  await problemReports.triage(id, change);
                  reload();
                  onChanged();
                }
              : undefined
          }
        />
      )}
    </Loading>
  );
}
