import { useMemo, useState } from "react";
import type { Metrics, QuestionFigures } from "../../api";
import { Chart, COLORS } from "./Chart";
import { decimal, percent } from "./format";
import { SortableTable } from "./SortableTable";
import { Tracks } from "./Tracks";

/** Per question: agreement (Krippendorff's alpha with its interval), the label distribution
 * and each annotator's confusion matrix against the consensus. */
export function Questions({ metrics }: { metrics: Metrics }) {
  if (metrics.questions.length === 0)
    return (
      <>
        <p className="empty">
          {metrics.computed_at
            ? "No single-choice, pairwise or rating question has answers yet."
            : "Being computed in the background: these figures appear at the next refresh."}
        </p>
        <TaskAgreement metrics={metrics} />
        <Tracks metrics={metrics} />
      </>
    );
  return (
    <>
      <SortableTable
        caption="Agreement per question"
        columns={[
          { key: "name", label: "Question", value: (q) => q.name, textual: true },
          { key: "kind", label: "Kind", value: (q) => q.kind, textual: true },
          { key: "answers", label: "Answers", value: (q) => q.answers },
          { key: "items", label: "Tasks", value: (q) => q.items },
          { key: "alpha", label: "Krippendorff's α", value: (q) => q.alpha, cell: (q) => decimal(q.alpha, 3) },
          {
            key: "interval",
            label: "95% interval",
            value: (q) => q.alpha_low,
            cell: (q) => (q.alpha_low === null ? "—" : `${decimal(q.alpha_low, 3)} to ${decimal(q.alpha_high, 3)}`),
          },
        ]}
        rows={metrics.questions}
        rowKey={(q) => q.name}
        initial={{ column: "name", direction: "ascending" }}
      />
      <TaskAgreement metrics={metrics} />
      <Tracks metrics={metrics} />
      <div className="question-grid">
        {metrics.questions.map((q) => (
          <QuestionCard key={q.name} question={q} names={metrics.names} />
        ))}
      </div>
    </>
  );
}

/** Every kind's agreement per task (spans, text, boxes too), as the consensus workflow stored it. */
function TaskAgreement({ metrics }: { metrics: Metrics }) {
  const rows = Object.entries(metrics.task_agreement ?? {}).map(([name, figures]) => ({ name, ...figures }));
  if (rows.length === 0) return null;
  return (
    <>
      <h3 className="table-title">Agreement within tasks, every kind of question (as the consensus stored it)</h3>
      <SortableTable
        caption="Mean agreement of each question's tasks, every kind of question"
        columns={[
          { key: "name", label: "Question", value: (r) => r.name, textual: true },
          { key: "tasks", label: "Tasks with 2+ answers", value: (r) => r.tasks },
          { key: "mean", label: "Mean task agreement", value: (r) => r.mean, cell: (r) => percent(r.mean) },
        ]}
        rows={rows}
        rowKey={(r) => r.name}
        initial={{ column: "name", direction: "ascending" }}
      />
    </>
  );
}

function QuestionCard({ question, names }: { question: QuestionFigures; names: Record<string, string> }) {
  const people = Object.keys(question.confusion);
  const [person, setPerson] = useState<string>(people[0] ?? "");
  const data = useMemo(
    () => ({
      labels: question.classes,
      datasets: [{ label: "Answers", data: question.classes.map((c) => question.labels[c] ?? 0), backgroundColor: COLORS[0] }],
    }),
    [question],
  );
  const shown = question.confusion[person] ? person : people[0];
  const name = (id: string) => names[id] || `#${id}`;
  return (
    <article className="question-card" aria-labelledby={`q-${question.name}`}>
      <h3 id={`q-${question.name}`}>{question.name}</h3>
      <figure className="chart-figure">
        <figcaption>Label distribution</figcaption>
        <Chart label={`Bar chart: how often each value of ${question.name} was given`} type="bar" data={data} height={180} />
      </figure>
      {people.length > 0 && shown ? (
        <div className="confusion">
          <label>
            Confusion matrix of{" "}
            <select value={shown} onChange={(event) => setPerson(event.target.value)}>
              {people.map((id) => (
                <option key={id} value={id}>
                  {name(id)}
                </option>
              ))}
            </select>
          </label>
          <ConfusionTable question={question} matrix={question.confusion[shown] ?? []} who={name(shown)} />
        </div>
      ) : null}
    </article>
  );
}

function ConfusionTable({ question, matrix, who }: { question: QuestionFigures; matrix: number[][]; who: string }) {
  const most = Math.max(1, ...matrix.flat());
  return (
    <table className="table confusion-table">
      <caption>
        Rows: the consensus; columns: {who}'s answer
      </caption>
      <thead>
        <tr>
          <th scope="col">Consensus ↓ / answer →</th>
          {question.classes.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => (
          <tr key={question.classes[i]}>
            <th scope="row">{question.classes[i]}</th>
            {row.map((n, j) => (
              <td key={j} className={i === j ? "diagonal" : undefined} style={{ ["--weight" as string]: String(n / most) }}>
                {n}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
