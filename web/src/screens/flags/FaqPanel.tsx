import { useEffect, useMemo, useRef, useState } from "react";
import { api, type FaqEntry } from "../../api";
import { Link } from "../../app/Link";
import { Markdown } from "../../kinds/fields/Markdown";
import { isTypingTarget } from "../../kinds/types";
import { Kbd } from "../../ui/Kbd";
import { guidelineSections, sectionTitle } from "./sections";
import "./flags.css";

const SEARCH_DELAY_MS = 250;

/** The FAQ beside the guidelines: the project's published answers, searchable ("/" to search). */
export function FaqPanel({ projectId, guidelines }: { projectId: number; guidelines: string }) {
  const [q, setQ] = useState("");
  const [entries, setEntries] = useState<FaqEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const sections = useMemo(() => guidelineSections(guidelines), [guidelines]);

  useEffect(() => {
    let live = true;
    const timer = window.setTimeout(() => {
      api.flags.faq(projectId, q.trim()).then(
        (found) => {
          if (!live) return;
          setEntries(found);
          setError(null);
        },
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [projectId, q]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.key !== "/" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || document.querySelector("dialog[open]")) return;
      event.preventDefault();
      input.current?.focus();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  return (
    <aside className="faq-panel" aria-label="FAQ">
      <h2>
        FAQ <Kbd keys="/" />
      </h2>
      <input
        ref={input}
        type="search"
        className="faq-search"
        aria-label="Search the FAQ"
        placeholder="Search answered questions"
        value={q}
        maxLength={200}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            e.currentTarget.blur();
          }
        }}
      />
      {error ? <p className="muted small">{error}</p> : null}
      {entries === null && !error ? <p className="muted small">Loading…</p> : null}
      {entries?.length === 0 ? <p className="muted small">{q.trim() ? "No answer matches these words." : "No answers published yet."}</p> : null}
      <ul className="faq-list">
        {entries?.map((entry) => (
          <li key={entry.id} className="faq-entry" data-flag-id={entry.id}>
            <h3>{entry.question}</h3>
            <Markdown source={entry.answer} className="faq-answer" />
            <p className="muted small">
              {sectionTitle(entry.section, sections)}
              {entry.amended_version ? ` · in the guidelines since v${entry.amended_version}` : ""}
            </p>
          </li>
        ))}
      </ul>
      <p className="small">
        <Link to={`/projects/${projectId}/questions`}>Your questions and their answers</Link>
      </p>
    </aside>
  );
}
