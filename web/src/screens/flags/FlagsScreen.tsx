import { useEffect, useMemo, useState } from "react";
import { api, type Flag, type FlagPage, type FlagState, type Project } from "../../api";
import { Link } from "../../app/Link";
import { navigate } from "../../app/router";
import { Markdown } from "../../kinds/fields/Markdown";
import { isTypingTarget } from "../../kinds/types";
import { Kbd } from "../../ui/Kbd";
import { Loading } from "../../ui/Loading";
import { Notice } from "../../ui/Notice";
import { useLoad } from "../../ui/useLoad";
import { canManage, ManageLayout } from "../manage/ManageLayout";
import { AnswerForm } from "./AnswerForm";
import { PromoteDialog } from "./PromoteDialog";
import { groupBySection, guidelineSections, sectionTitle } from "./sections";
import "./flags.css";

type Filter = FlagState | "all";
const FILTERS: { value: Filter; label: string; key: string }[] = [
  { value: "open", label: "Open", key: "1" },
  { value: "answered", label: "Answered", key: "2" },
  { value: "all", label: "All", key: "3" },
];

/** `/projects/:id/flags`: the questions annotators flagged, grouped by guideline section
 * (managers and reviewers); managers answer, publish to the FAQ and promote into the guidelines. */
export function FlagsScreen({ projectId }: { projectId: number }) {
  return (
    <ManageLayout projectId={projectId} need="review">
      {(project, reload) => <FlagsPage project={project} reloadProject={reload} />}
    </ManageLayout>
  );
}

function FlagsPage({ project, reloadProject }: { project: Project; reloadProject: () => void }) {
  const [filter, setFilter] = useState<Filter>("open");
  const [state, reload] = useLoad(() => api.flags.list(project.id, filter), `flags:${project.id}:${filter}`);
  const [selected, setSelected] = useState<number | null>(() => Number(new URLSearchParams(window.location.search).get("flag")) || null);
  const [mode, setMode] = useState<"answer" | "promote" | null>(null);
  const [outcome, setOutcome] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const sections = useMemo(() => guidelineSections(project.guidelines), [project.guidelines]);
  const items = state.status === "ready" ? state.value.items : [];
  const ordered = useMemo(() => groupBySection(items, sections).flatMap(([, group]) => group), [items, sections]);
  const current = ordered.find((f) => f.id === selected) ?? null;
  const manager = canManage(project);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (mode !== null || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target) || document.querySelector("dialog[open]")) return;
      const at = ordered.findIndex((f) => f.id === selected);
      const pick = FILTERS.find((f) => f.key === event.key);
      if (event.key === "j" || event.key === "k") {
        const next = ordered[Math.min(ordered.length - 1, Math.max(0, at + (event.key === "j" ? 1 : -1)))];
        if (next) setSelected(next.id);
      } else if (pick) setFilter(pick.value);
      else if (event.key === "a" && current && manager) setMode("answer");
      else if (event.key === "p" && current && manager && promotable(current)) setMode("promote");
      else if (event.key === "t" && current) navigate(`/projects/${project.id}/tasks/${current.task_id}`);
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [ordered, selected, current, mode, manager, project.id]);

  useEffect(() => {
    if (selected !== null) document.querySelector(`[data-flag-id="${selected}"]`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  function done(text: string): void {
    setMode(null);
    setOutcome({ tone: "success", text });
    reload();
  }

  return (
    <div className="manage-page">
      <div className="page-head">
        <h1>Questions</h1>
      </div>
      <p className="muted small">
        Tasks annotators flagged as unclear under the guidelines. {manager ? "Only managers see who asked." : "Who asked is shown to managers only."} Keys: <Kbd keys="j" />/
        <Kbd keys="k" /> next/previous, <Kbd keys="t" /> open the task{manager ? <>, <Kbd keys="a" /> answer, <Kbd keys="p" /> promote into the guidelines</> : null},{" "}
        <Kbd keys="1" />/<Kbd keys="2" />/<Kbd keys="3" /> open, answered, all.
      </p>
      <div className="flags-sections" role="group" aria-label="Show">
        {FILTERS.map((f) => (
          <button key={f.value} type="button" aria-pressed={filter === f.value} onClick={() => setFilter(f.value)}>
            {f.label} <Kbd keys={f.key} />
          </button>
        ))}
      </div>
      <div aria-live="polite">{outcome ? <Notice tone={outcome.tone}>{outcome.text}</Notice> : null}</div>
      <Loading state={state} retry={reload}>
        {(page) => (
          <FlagGroups
            page={page}
            project={project}
            sections={sections}
            selected={selected}
            onSelect={setSelected}
            mode={mode}
            onMode={(id, next) => {
              setSelected(id);
              setMode(next);
            }}
            onAnswered={(flag) => done(`Answered; the asker is notified${flag.published ? ", and it is in the FAQ" : ""}.`)}
            onCancel={() => setMode(null)}
            filter={filter}
          />
        )}
      </Loading>
      {mode === "promote" && current ? (
        <PromoteDialog
          flag={current}
          onClose={() => setMode(null)}
          onPromoted={(version) => {
            reloadProject();
            done(`Guideline version ${version} saved from question #${current.id}; the asker is notified.`);
          }}
        />
      ) : null}
    </div>
  );
}

const promotable = (flag: Flag): boolean => flag.state === "answered" && flag.amended_version === null;

interface GroupsProps {
  page: FlagPage;
  project: Project;
  sections: ReturnType<typeof guidelineSections>;
  selected: number | null;
  onSelect: (id: number) => void;
  mode: "answer" | "promote" | null;
  onMode: (id: number, mode: "answer" | "promote") => void;
  onAnswered: (flag: Flag) => void;
  onCancel: () => void;
  filter: Filter;
}

function FlagGroups({ page, project, sections, selected, onSelect, mode, onMode, onAnswered, onCancel, filter }: GroupsProps) {
  if (page.items.length === 0)
    return <p className="empty">{filter === "open" ? "No open questions: nothing is waiting for an answer." : "No questions here yet."}</p>;
  return (
    <>
      {groupBySection(page.items, sections).map(([section, flags]) => (
        <section key={section || "-"} className="flags-group" aria-label={sectionTitle(section, sections)}>
          <h2>
            {sectionTitle(section, sections)} <span className="muted small">({page.open_by_section[section] ?? 0} open)</span>
          </h2>
          {flags.map((flag) => (
            <FlagCard
              key={flag.id}
              flag={flag}
              project={project}
              current={flag.id === selected}
              onSelect={() => onSelect(flag.id)}
              answering={mode === "answer" && flag.id === selected}
              onMode={(next) => onMode(flag.id, next)}
              onAnswered={onAnswered}
              onCancel={onCancel}
            />
          ))}
        </section>
      ))}
    </>
  );
}

interface CardProps {
  flag: Flag;
  project: Project;
  current: boolean;
  onSelect: () => void;
  answering: boolean;
  onMode: (mode: "answer" | "promote") => void;
  onAnswered: (flag: Flag) => void;
  onCancel: () => void;
}

function FlagCard({ flag, project, current, onSelect, answering, onMode, onAnswered, onCancel }: CardProps) {
  const manager = canManage(project);
  const task = flag.task_external_id ?? `#${flag.task_id}`;
  return (
    <article className="flag-card" data-flag-id={flag.id} data-state={flag.state} aria-current={current} onClick={onSelect}>
      <div className="flag-meta muted">
        <span>#{flag.id}</span>
        <Link to={`/projects/${project.id}/tasks/${flag.task_id}`}>Task {task}</Link>
        {flag.annotation_id ? <Link to={`/projects/${project.id}/annotations/${flag.annotation_id}`}>Submitted with the flag</Link> : <span>Not submitted</span>}
        <span>{flag.asker_name || flag.asker_email ? `asked by ${flag.asker_name || flag.asker_email}` : "asked by an annotator"}</span>
        <span>{new Date(flag.created_at).toLocaleString()}</span>
        <span>under guidelines v{flag.guidelines_version}</span>
        {flag.published ? <span className="badge">In the FAQ</span> : null}
        {flag.amended_version ? <span className="badge">Became guidelines v{flag.amended_version}</span> : null}
      </div>
      <p className="flag-question">{flag.question}</p>
      {flag.state === "answered" && !answering ? <Markdown source={flag.answer} className="flag-answer" /> : null}
      {answering ? (
        <AnswerForm flag={flag} onAnswered={onAnswered} onCancel={onCancel} />
      ) : manager ? (
        <div className="flag-actions">
          <button type="button" className={flag.state === "open" ? "button-primary" : undefined} onClick={() => onMode("answer")}>
            {flag.state === "open" ? "Answer" : "Change the answer"} {current ? <Kbd keys="a" /> : null}
          </button>
          {promotable(flag) ? (
            <button type="button" onClick={() => onMode("promote")}>
              Promote into the guidelines {current ? <Kbd keys="p" /> : null}
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}
