import { api, type QuestionScores } from "../../api";
import { Loading } from "../../ui/Loading";
import { useLoad } from "../../ui/useLoad";
import { share, versusPeople } from "../manage/llmText";
import { SortableTable } from "./SortableTable";

interface Row {
  key: string;
  /** "quality", or "rubric: accurate" for a rubric's criterion. */
  question: string;
  kind: string;
  judge: string;
  tasks: number;
  withPeople: number;
  agreement: number | null;
  people: number | null;
  pairs: number;
  goldTasks: number;
  gold: number | null;
}

/** Every judge of every scored question (a rubric: each criterion) as a table row. */
export function judgeRows(scores: QuestionScores[]): Row[] {
  return scores.flatMap((q) =>
    q.judges.map((j) => {
      const question = q.criterion ? `${q.question}: ${q.criterion}` : q.question;
      return {
        key: `${question}|${j.model_version}`,
        question,
        kind: q.kind,
        judge: j.model_version.replace(/^llm:/, ""),
        tasks: j.tasks,
        withPeople: j.tasks_with_people,
        agreement: j.agreement,
        people: q.people_agreement.agreement,
        pairs: q.people_agreement.pairs,
        goldTasks: j.gold_tasks,
        gold: j.gold_accuracy,
      };
    }),
  );
}

/**
 * The LLM judge scored like an annotator (managers; docs/llm.md, "Can the judge be trusted?"):
 * per question (a rubric: per criterion), how often the people who answered the same tasks
 * gave the judge's answer, against how often people agree among themselves, and its accuracy
 * on gold tasks. Shown only once a judge has answered something. Read when the page opens
 * and on Refresh (not every 15 s: it reads every answer of the project).
 */
export function JudgeScores({ projectId, round }: { projectId: number; round: number }) {
  const [scores, reload] = useLoad(() => api.llm.judgeScores(projectId), `judge-scores:${projectId}:${round}`);
  if (scores.status === "ready" && judgeRows(scores.value).length === 0) return null;
  if (scores.status === "error") return null; // no endpoint or no right: nothing to show here
  return (
    <section aria-labelledby="llm-judge" className="dashboard-section">
      <h2 id="llm-judge">LLM judge</h2>
      <p className="muted small">
        How often the people who answered the same tasks gave the judge&apos;s answer (its predictions; gold, qualification and training tasks left
        out), beside how often people agree with each other, and how often the judge matched the gold answer. Where it agrees with people about
        as much as they agree among themselves, and its gold accuracy is high, it can be trusted as a pre-fill for that question. A rubric is
        scored per criterion.
      </p>
      <Loading state={scores} retry={reload}>
        {(value) => (
          <SortableTable
            caption="The LLM judge scored like an annotator, per question"
            className="judge-scores"
            columns={[
              { key: "question", label: "Question", value: (r) => r.question, textual: true },
              { key: "kind", label: "Kind", value: (r) => r.kind, textual: true },
              { key: "judge", label: "Judge (model)", value: (r) => r.judge, textual: true },
              { key: "tasks", label: "Tasks judged", value: (r) => r.tasks },
              { key: "withPeople", label: "Also answered by people", value: (r) => r.withPeople },
              {
                key: "agreement",
                label: "Agrees with people",
                value: (r) => r.agreement,
                cell: (r) => share(r.agreement),
                title: "The share of people's answers equal to the judge's, on tasks both answered",
              },
              {
                key: "people",
                label: "People agree",
                value: (r) => r.people,
                cell: (r) => (r.people === null ? "—" : `${share(r.people)} (${r.pairs} pairs)`),
                title: "The same share among people: each pair of people on a task",
              },
              { key: "versus", label: "Judge vs people", value: (r) => (r.agreement === null || r.people === null ? null : r.agreement - r.people), cell: (r) => versusPeople(r.agreement, r.people) },
              {
                key: "gold",
                label: "Gold accuracy",
                value: (r) => r.gold,
                cell: (r) => (r.gold === null ? "— (no gold)" : `${share(r.gold)} of ${r.goldTasks}`),
              },
            ]}
            rows={judgeRows(value)}
            rowKey={(r) => r.key}
            initial={{ column: "question", direction: "ascending" }}
          />
        )}
      </Loading>
    </section>
  );
}
