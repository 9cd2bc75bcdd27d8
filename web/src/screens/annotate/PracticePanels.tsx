/** Qualification and training on the annotate screen: where one stands, and the expected
 * answer after a task (training; gold when the project shows it). */
import { useEffect, useRef } from "react";
import type { Feedback, JsonObject, Practice } from "../../api";
import { Kbd } from "../../ui/Kbd";
import { summary } from "../answerSummary";

export function PracticeBanner({ practice }: { practice: Practice }) {
  const position = `task ${Math.min(practice.position, practice.total)} of ${practice.total}`;
  if (practice.purpose === "training") {
    return (
      <div className="practice-banner" role="status" data-practice="training">
        <strong>Training</strong> · {position} · the expected answer and its explanation are shown after each task; nothing here counts towards the dataset.
      </div>
    );
  }
  return (
    <div className="practice-banner" role="status" data-practice="qualification">
      <strong>Qualification</strong> · {position} · attempt {practice.attempt} of {practice.attempts} · {Math.round(practice.needed * 100)}% needed to pass. Real tasks
      start once you pass.
    </div>
  );
}

/** The expected answer beside the one given, question by question; Enter goes on. */
export function FeedbackPanel({ feedback, given, onContinue }: { feedback: Feedback; given: JsonObject; onContinue: () => void }) {
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  const percent = Math.round(feedback.score * 100);
  return (
    <section className="feedback-panel" aria-labelledby="feedback-title" data-score={feedback.score}>
      <h1 id="feedback-title">
        {feedback.purpose === "training" ? "Training answer" : "Checked against a known answer"}: {percent}%
      </h1>
      <table className="feedback-table">
        <thead>
          <tr>
            <th scope="col">Question</th>
            <th scope="col">Your answer</th>
            <th scope="col">Expected</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(feedback.questions).map(([name, score]) => (
            <tr key={name} className={score >= 0.999 ? "feedback-right" : "feedback-wrong"}>
              <th scope="row">{name}</th>
              <td>{answerOf(given, name) ?? <em>no answer</em>}</td>
              <td>{answerOf(feedback.expected, name) ?? <em>none</em>}</td>
              <td>{Math.round(score * 100)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      {feedback.explanation ? (
        <div className="feedback-explanation">
          <h2>Why</h2>
          <p>{feedback.explanation}</p>
        </div>
      ) : null}
      <p>
        <button type="button" ref={button} className="button-primary" onClick={onContinue}>
          Next task <Kbd keys="Enter" />
        </button>
      </p>
    </section>
  );
}

function answerOf(result: JsonObject, name: string): string | null {
  const value = result[name];
  return value === undefined || value === null ? null : summary({ [name]: value }).slice(name.length + 2);
}
