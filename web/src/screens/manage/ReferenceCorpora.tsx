import { useEffect, useId, useState, type FormEvent } from "react";
import { originality, type Corpus } from "../../api/originality";
import type { Project } from "../../api";
import { checksOriginality } from "../annotate/originality";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Notice } from "../../ui/Notice";
import { messageOf } from "./errors";
import "../../styles/originality.css";

const STATES: Record<Corpus["state"], string> = {
  indexing: "indexing (not used yet)",
  ready: "in use",
  failed: "failed, not used",
  deleting: "deleting (not used)",
};

/**
 * Reference corpora for the originality check (docs/originality.md): texts answers are compared
 * with besides earlier answers. One text per line, or JSON Lines with "text"; indexed in the
 * background (the job shows on the Jobs page). Only for projects with a text question that has
 * `originality` set.
 */
export function ReferenceCorpora({ project }: { project: Project }) {
  const id = useId();
  const questions = originalityQuestions(project);
  const [corpora, setCorpora] = useState<Corpus[] | null>(null);
  const [question, setQuestion] = useState(questions[0] ?? "");
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState<{ tone: "error" | "success"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(0); // a fresh (empty) file box after each upload
  const [confirming, setConfirming] = useState<Corpus | null>(null);
  const [deleting, setDeleting] = useState(false);
  // Indexing or being deleted: the list is read again every second until they are done.
  const indexing = corpora?.some((c) => c.state === "indexing" || c.state === "deleting") ?? false;

  useEffect(() => {
    if (!questions.length) return;
    let stop = false;
    const load = () =>
      void originality.corpora(project.id).then(
        (list) => !stop && setCorpora(list),
        () => undefined,
      );
    load();
    const timer = indexing ? window.setInterval(load, 1000) : undefined;
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, [project.id, questions.length, indexing, busy, deleting]);

  if (!questions.length) return null;

  async function send(event: FormEvent): Promise<void> {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setMessage(null);
    try {
      const format = /\.(jsonl|ndjson)$/i.test(file.name) ? "jsonl" : "lines";
      const started = await originality.uploadCorpus(project.id, question, format, file);
      setMessage({ tone: "success", text: `Uploaded; indexing as job ${started.job.id}.` });
      setFile(null);
      setSent((n) => n + 1);
    } catch (error) {
      setMessage({ tone: "error", text: messageOf(error) });
    } finally {
      setBusy(false);
    }
  }

  async function remove(corpus: Corpus): Promise<void> {
    setDeleting(true);
    setMessage(null);
    try {
      const started = await originality.deleteCorpus(project.id, corpus.id);
      setMessage({ tone: "success", text: `Deleted “${corpus.name}”: no longer used; its texts are removed by job ${started.job.id}.` });
    } catch (error) {
      setMessage({ tone: "error", text: messageOf(error) });
    } finally {
      setConfirming(null);
      setDeleting(false);
    }
  }

  return (
    <section className="reference-corpora" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Reference corpora (originality)</h2>
      <p className="muted small">
        Answers to a question with an originality check are compared with earlier answers and with these texts. A file of one text per line (.txt) or JSON Lines with a
        "text" on each line (.jsonl), UTF-8, up to 1,000,000 lines. A bad line stops it with the line named, and nothing is used.
      </p>
      <form onSubmit={(event) => void send(event)} className="reference-corpora-form">
        <label>
          Question{" "}
          <select value={question} onChange={(event) => setQuestion(event.target.value)}>
            {questions.map((q) => (
              <option key={q}>{q}</option>
            ))}
          </select>
        </label>{" "}
        <label>
          File <input key={sent} type="file" accept=".txt,.jsonl,.ndjson,text/plain" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        </label>{" "}
        <button type="submit" disabled={!file || busy}>
          {busy ? "Uploading…" : "Upload corpus"}
        </button>
      </form>
      {message ? <Notice tone={message.tone}>{message.text}</Notice> : null}
      {corpora?.length ? (
        <table className="reference-corpora-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Question</th>
              <th>Texts</th>
              <th>State</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {corpora.map((c) => (
              <tr key={c.id} data-corpus-state={c.state}>
                <td>{c.name}</td>
                <td>{c.question}</td>
                <td>{c.texts.toLocaleString()}</td>
                <td>
                  {STATES[c.state]}
                  {c.error ? `: ${c.error}` : ""}
                </td>
                <td>
                  {c.state === "deleting" ? null : (
                    <button type="button" className="button-quiet" onClick={() => setConfirming(c)} aria-label={`Delete corpus ${c.name}`} disabled={deleting}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title={`Delete the corpus “${confirming.name}”?`}
          confirmLabel="Delete corpus"
          tone="danger"
          busy={deleting}
          onCancel={() => setConfirming(null)}
          onConfirm={() => void remove(confirming)}
        >
          <p>
            Answers to <strong>{confirming.question}</strong> will no longer be compared with its {confirming.texts.toLocaleString()} texts, from now on. Warnings already given
            stay. To use it again, upload the file again.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function originalityQuestions(project: Project): string[] {
  if (!checksOriginality(project.interface)) return [];
  const questions = project.interface.questions;
  if (!Array.isArray(questions)) return [];
  return questions.flatMap((q) => (q && typeof q === "object" && !Array.isArray(q) && q.kind === "text" && q.originality && typeof q.name === "string" ? [q.name] : []));
}
