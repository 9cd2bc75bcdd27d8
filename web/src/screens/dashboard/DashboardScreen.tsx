import { useEffect, useState } from "react";
import { api, type Metrics } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { useLoad } from "../../ui/useLoad";
import { canManage, ManageLayout } from "../manage/ManageLayout";
import { FlagTiles } from "../flags/FlagTiles";
import { Annotators } from "./Annotators";
import { Downloads } from "./Downloads";
import { JudgeScores } from "./JudgeScores";
import { ago } from "./format";
import { OverTime } from "./OverTime";
import { Questions } from "./Questions";
import "./dashboard.css";

/** How often the figures are read again while the page is open (the counters are live). */
export const REFRESH_MS = 15_000;

/** `/projects/:id/dashboard`: throughput, review outcomes, gold, agreement and skills, per
 * annotator and over time, and per question (managers and reviewers). */
export function DashboardScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId} need="review">
      {(project) => <Dashboard projectId={project.id} manage={canManage(project)} />}
    </ManageLayout>
  );
}

function Dashboard({ projectId, manage }: { projectId: number; manage: boolean }) {
  const [period, setPeriod] = useState<"day" | "week">("day");
  // Asked for again on Refresh (R), not every 15 s: the judge's scores read every answer.
  const [asked, setAsked] = useState(0);
  const [annotators, reloadAnnotators] = useLoad(() => api.metrics.get(projectId, "annotator"), `metrics:${projectId}:annotator`);
  // The other tables are asked for once the first has come: the first figures on screen do
  // not wait behind them on a busy server.
  const started = annotators.status !== "loading";
  const [periods, reloadPeriods] = useLoad(
    () => (started ? api.metrics.get(projectId, period) : new Promise<never>(() => {})),
    `metrics:${projectId}:${period}:${started}`,
  );
  const [questions, reloadQuestions] = useLoad(
    () => (started ? api.metrics.get(projectId, "question") : new Promise<never>(() => {})),
    `metrics:${projectId}:question:${started}`,
  );
  const refresh = () => {
    reloadAnnotators();
    reloadPeriods();
    reloadQuestions();
  };
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === "r") {
        refresh();
        setAsked((n) => n + 1);
      }
      else if (key === "d") setPeriod("day");
      else if (key === "w") setPeriod("week");
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });
  const head = annotators.status === "ready" ? annotators.value : null;
  return (
    <div className="manage-page dashboard">
      <div className="page-head">
        <h1>Dashboard</h1>
        <div className="dashboard-actions">
          <button
            type="button"
            onClick={() => {
              refresh();
              setAsked((n) => n + 1);
            }}
          >
            Refresh <Kbd keys="R" />
          </button>
        </div>
      </div>
      {head ? <Freshness metrics={head} /> : null}
      {head ? <ProgressTiles metrics={head} /> : null}
      {head?.flags ? <FlagTiles projectId={projectId} figures={head.flags} /> : null}
      <section aria-labelledby="over-time" className="dashboard-section">
        <div className="section-head">
          <h2 id="over-time">Over time</h2>
          <div role="group" aria-label="Per" className="segmented">
            {(["day", "week"] as const).map((p) => (
              <button key={p} type="button" aria-pressed={period === p} onClick={() => setPeriod(p)}>
                Per {p} <Kbd keys={p === "day" ? "D" : "W"} />
              </button>
            ))}
          </div>
        </div>
        <Loading state={periods} retry={reloadPeriods}>
          {(m) => <OverTime metrics={m} />}
        </Loading>
      </section>
      <section aria-labelledby="per-annotator" className="dashboard-section">
        <h2 id="per-annotator">Per annotator</h2>
        <Loading state={annotators} retry={reloadAnnotators}>
          {(m) => <Annotators metrics={m} />}
        </Loading>
      </section>
      <section aria-labelledby="per-question" className="dashboard-section">
        <h2 id="per-question">Per question</h2>
        <Loading state={questions} retry={reloadQuestions}>
          {(m) => <Questions metrics={m} />}
        </Loading>
      </section>
      {manage ? <JudgeScores projectId={projectId} round={asked} /> : null}
      <Downloads projectId={projectId} period={period} />
    </div>
  );
}

function typing(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName));
}

function Freshness({ metrics }: { metrics: Metrics }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => tick((n) => n + 1), 5_000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <p className="muted dashboard-freshness" aria-live="polite">
      Counts are live (read {ago(metrics.counted_at)}; refreshed every {REFRESH_MS / 1000} s). Agreement, skills and
      confusion: {metrics.computed_at ? `computed ${ago(metrics.computed_at)}` : "not computed yet"}
      {metrics.stale ? " — being recomputed in the background." : "."}
    </p>
  );
}

function ProgressTiles({ metrics }: { metrics: Metrics }) {
  const p = metrics.progress;
  const share = p.tasks ? Math.round((100 * p.complete) / p.tasks) : 0;
  const tiles: [string, string][] = [
    ["Complete", `${p.complete.toLocaleString()} of ${p.tasks.toLocaleString()} (${share}%)`],
    ["In progress", p.in_progress.toLocaleString()],
    ["Not started", p.new.toLocaleString()],
    ["Annotations", p.annotations.toLocaleString()],
  ];
  return (
    <dl className="metric-tiles">
      {tiles.map(([label, value]) => (
        <div key={label} className="metric-tile">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
