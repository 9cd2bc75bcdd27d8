import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { JsonObject, QueueOrder, UncertaintyMeasure } from "../../api";
import { useLeaveGuard } from "../../app/router";
import { Markdown } from "../../kinds/fields/Markdown";
import { Notice } from "../../ui/Notice";
import { fieldProblems, interfaceProblems, messageOf, orphansOf } from "./errors";
import { InterfaceEditor } from "./InterfaceEditor";
import { InterfacePreview } from "./InterfacePreview";
import { lineOfPath, readInterface, type TextProblem } from "./interfaceText";
import { NumberInput, SelectInput, TextArea, TextInput } from "./formInputs";
import { OrphansNotice } from "./OrphansNotice";

/** The form's values, as typed (numbers stay text until saved). */
export interface ProjectDraft {
  name: string;
  description: string;
  overlap: string;
  leaseMinutes: string;
  order: QueueOrder;
  /** For the active learning orders: the uncertainty measure, and turns between predicted classes. */
  uncertaintyMeasure: UncertaintyMeasure;
  diversity: "yes" | "no";
  /** The review policy: a percentage of submissions drawn at random, after each annotator's first N. */
  reviewPercent: string;
  reviewFirst: string;
  /** Risk-based review: below this model confidence (0–1, empty or 0: off); "yes" to review disagreements. */
  reviewBelow: string;
  reviewDisagreements: "yes" | "no";
  /** Review the work of annotators below this gold score (percent; 0: off). */
  reviewBelowGold: string;
  /** Review submissions faster than this percentage of the median time (0: off). */
  reviewFasterThan: string;
  /** One item per line: `severity: text [id]` (see checklistText.ts). */
  checklistText: string;
  /** Gold: the percentage of served tasks that are gold; feedback after a gold task. */
  goldPercent: string;
  goldFeedback: "yes" | "no";
  /** Pause below this gold score (percent; 0: never), after this many gold tasks. */
  goldPausePercent: string;
  goldPauseMin: string;
  /** Qualification: the score to pass (percent; 0: none) and the attempts allowed. */
  qualificationPercent: string;
  qualificationAttempts: string;
  /** Consensus of tasks with overlap > 1: the method; adjudicate below this agreement (0–1;
   * 0: never); dynamic overlap asks for up to this many annotations (0: off). */
  consensusMethod: "majority" | "dawid_skene";
  agreementThreshold: string;
  maxOverlap: string;
  guidelines: string;
  interfaceText: string;
}

interface ProjectFormProps {
  initial: ProjectDraft;
  /** A task's data for the preview, or null for placeholders. */
  sample: JsonObject | null;
  projectId: number | null;
  submitLabel: string;
  /** Save; throws the server's refusal. */
  onSubmit: (draft: ProjectDraft) => Promise<void>;
  /** Shown above the save button after a save, e.g. "Saved". */
  saved?: ReactNode;
}

const ORDERS: { value: QueueOrder; label: string }[] = [
  { value: "sequential", label: "Sequential (in import order)" },
  { value: "random", label: "Random" },
  { value: "priority", label: "By priority (the rows' `priority`, highest first)" },
  { value: "uncertainty", label: "Model least sure first" },
  { value: "disagreement", label: "Model vs. people first" },
];

const MEASURES: { value: UncertaintyMeasure; label: string }[] = [
  { value: "least_confident", label: "Least confident" },
  { value: "margin", label: "Margin" },
  { value: "entropy", label: "Entropy" },
];

const LEARNING: ReadonlySet<QueueOrder> = new Set(["uncertainty", "disagreement"]);

/** The form's keys of the server's field names (a refusal names `lease_seconds`...). */
const FIELD_KEYS: Record<string, keyof ProjectDraft> = {
  lease_seconds: "leaseMinutes",
  interface: "interfaceText",
  review_share: "reviewPercent",
  review_first: "reviewFirst",
  review_below_confidence: "reviewBelow",
  review_disagreements: "reviewDisagreements",
  uncertainty_measure: "uncertaintyMeasure",
  diversity: "diversity",
  review_below_gold: "reviewBelowGold",
  review_faster_than: "reviewFasterThan",
  checklist: "checklistText",
  gold_rate: "goldPercent",
  gold_feedback: "goldFeedback",
  gold_pause_below: "goldPausePercent",
  gold_pause_min: "goldPauseMin",
  qualification_pass: "qualificationPercent",
  qualification_attempts: "qualificationAttempts",
  consensus_method: "consensusMethod",
  agreement_threshold: "agreementThreshold",
  max_overlap: "maxOverlap",
};

const UNSAVED = "Your changes on this page are not saved: leaving now loses them. Stay and save them (Ctrl+S), or leave without saving.";

/**
 * Name, settings, guidelines and interface of a project: creation and settings share it.
 * Leaving with unsaved changes asks first. A refusal of the server is shown beside what it
 * names until that part is edited (then it no longer describes the text on screen).
 */
export function ProjectForm({ initial, sample, projectId, submitLabel, onSubmit, saved }: ProjectFormProps) {
  const [draft, setDraft] = useState(initial);
  const [clean, setClean] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<ProjectDraft | null>(null);
  // The project as the server has it now (after a save, or a reload). What the person typed
  // since their last save is kept: only a form without unsaved edits takes the new values
  // (a save's reload used to arrive after they had started the next edit, and wiped it).
  const cleanRef = useRef(clean);
  cleanRef.current = clean;
  useEffect(() => {
    const before = cleanRef.current;
    setDraft((current) => (sameDraft(current, before) ? initial : current));
    setClean(initial);
  }, [initial]);
  useLeaveGuard(!busy && !sameDraft(draft, clean) ? UNSAVED : null);

  const set = <K extends keyof ProjectDraft>(key: K, value: ProjectDraft[K]): void => setDraft((d) => ({ ...d, [key]: value }));
  const read = useMemo(() => readInterface(draft.interfaceText), [draft.interfaceText]);
  const lastGood = useLastGood(read.problems.length === 0 ? read.value : null);
  const unchanged = (key: keyof ProjectDraft): boolean => sent !== null && draft[key] === sent[key];
  const interfaceAsSent = unchanged("interfaceText");
  const serverProblems: TextProblem[] = interfaceAsSent
    ? interfaceProblems(error).map((p) => ({ path: p.path, message: p.message, line: lineOfPath(draft.interfaceText, p.path), source: "server" }))
    : [];
  const fields = Object.fromEntries(
    Object.entries(fieldProblems(error)).filter(([name]) => unchanged(FIELD_KEYS[name] ?? (name as keyof ProjectDraft))),
  );
  const orphans = interfaceAsSent ? orphansOf(error) : null;
  const general = error && !orphansOf(error) && interfaceProblems(error).length === 0 && Object.keys(fieldProblems(error)).length === 0 ? messageOf(error) : null;

  async function submit(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setSent(draft);
    try {
      await onSubmit(draft);
      setClean(draft);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  // Ctrl+S (⌘S) saves from anywhere on the page, not only from inside the form.
  const latest = useRef(submit);
  latest.current = submit;
  useEffect(() => {
    function onKey(event: KeyboardEvent): void {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void latest.current();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <form className="project-form" onSubmit={(event) => void submit(event)} noValidate>
      <section className="form-section" aria-labelledby="general-title">
        <h2 id="general-title">General</h2>
        <div className="form-grid">
          <TextInput label="Name" value={draft.name} onChange={(v) => set("name", v)} problem={fields.name} required />
          <NumberInput
            label="Overlap"
            hint="annotations wanted per task (1–100)"
            value={draft.overlap}
            onChange={(v) => set("overlap", v)}
            min={1}
            max={100}
            problem={fields.overlap}
          />
          <NumberInput
            label="Lease time (minutes)"
            hint="how long a task stays with one annotator"
            value={draft.leaseMinutes}
            onChange={(v) => set("leaseMinutes", v)}
            min={0.5}
            max={10080}
            step={0.5}
            problem={fields.lease_seconds}
          />
          <SelectInput label="Order" value={draft.order} onChange={(v) => set("order", v as QueueOrder)} options={ORDERS} problem={fields.order} />
          {LEARNING.has(draft.order) && (
            <>
              <SelectInput
                label="Uncertainty"
                value={draft.uncertaintyMeasure}
                onChange={(v) => set("uncertaintyMeasure", v as UncertaintyMeasure)}
                options={MEASURES}
                problem={fields.uncertainty_measure}
              />
              <SelectInput
                label="Diversity"
                value={draft.diversity}
                onChange={(v) => set("diversity", v === "yes" ? "yes" : "no")}
                options={[
                  { value: "no", label: "Off" },
                  { value: "yes", label: "Turns by predicted class" },
                ]}
                problem={fields.diversity}
              />
            </>
          )}
        </div>
        {LEARNING.has(draft.order) && (
          <p className="muted small">
            Active learning: the order comes from the tasks&apos; predictions (Model servers, or imported ones with a score); tasks without one come
            last. <em>Model least sure first</em> serves the most uncertain prediction first; <em>Model vs. people first</em> serves first the tasks
            whose first answers contradict the model (with an overlap above 1). Uncertainty: least confident is 1 − the top class&apos;s probability
            (or 1 − the score), margin the gap between the two likeliest classes, entropy the spread over every class. Diversity takes turns between
            the classes the model predicts. A model server that retrains every N annotations predicts the open tasks again, and the queue follows the
            new model (docs/active_learning.md).
          </p>
        )}
        <TextArea label="Description" value={draft.description} onChange={(v) => set("description", v)} rows={2} problem={fields.description} />
      </section>

      <section className="form-section" aria-labelledby="review-title">
        <h2 id="review-title">Review</h2>
        <p className="muted small">
          Which submissions reviewers see (their queue: Review on the projects page). Each annotator&apos;s first ones all go to review, then a share
          drawn at random. A change applies to submissions from then on; what was already sent or decided stays.
        </p>
        <div className="form-grid">
          <NumberInput
            label="Review each annotator's first"
            hint="submissions (0–100,000)"
            value={draft.reviewFirst}
            onChange={(v) => set("reviewFirst", v)}
            min={0}
            max={100000}
            problem={fields.review_first}
          />
          <NumberInput
            label="Then review (%)"
            hint="of the rest, at random: 0 none, 100 all"
            value={draft.reviewPercent}
            onChange={(v) => set("reviewPercent", v)}
            min={0}
            max={100}
            step={1}
            problem={fields.review_share}
          />
          <NumberInput
            label="Also review when the model is unsure"
            hint="the task's best prediction scores below this (0–1; 0: off)"
            value={draft.reviewBelow}
            onChange={(v) => set("reviewBelow", v)}
            min={0}
            max={1}
            step={0.05}
            problem={fields.review_below_confidence}
          />
          <SelectInput
            label="Also review answers that disagree"
            value={draft.reviewDisagreements}
            onChange={(v) => set("reviewDisagreements", v === "yes" ? "yes" : "no")}
            options={[
              { value: "no", label: "No" },
              { value: "yes", label: "Yes: a single-choice answer unlike most of the task's earlier ones" },
            ]}
            problem={fields.review_disagreements}
          />
          <NumberInput
            label="Also review annotators below a gold score of (%)"
            hint="all their submissions (0: off)"
            value={draft.reviewBelowGold}
            onChange={(v) => set("reviewBelowGold", v)}
            min={0}
            max={100}
            problem={fields.review_below_gold}
          />
          <NumberInput
            label="Also review work faster than (% of the median time)"
            hint="e.g. 25: under a quarter of the project's median active time (0: off)"
            value={draft.reviewFasterThan}
            onChange={(v) => set("reviewFasterThan", v)}
            min={0}
            max={100}
            problem={fields.review_faster_than}
          />
        </div>
        <TextArea
          label="Checklist"
          hint="what reviewers check, one item per line: severity (minor, major or critical): what to check. A fix or a rejection records which items failed; keep an item's [id] when you reword it"
          value={draft.checklistText}
          onChange={(v) => set("checklistText", v)}
          rows={4}
          problem={fields.checklist}
          mono
        />
      </section>

      <GoldSection draft={draft} set={set} fields={fields} />

      <ConsensusSection draft={draft} set={set} fields={fields} />

      <section className="form-section" aria-labelledby="guidelines-title">
        <h2 id="guidelines-title">Guidelines</h2>
        <p className="muted small">Markdown, shown to annotators beside every task (key g).</p>
        <div className="split">
          <TextArea label="Guidelines (Markdown)" value={draft.guidelines} onChange={(v) => set("guidelines", v)} rows={10} problem={fields.guidelines} mono />
          <div className="guidelines-preview" aria-label="Guidelines preview">
            <span className="form-label">Preview</span>
            {draft.guidelines.trim() ? <Markdown source={draft.guidelines} className="guidelines-rendered" /> : <p className="muted small">Nothing written yet.</p>}
          </div>
        </div>
      </section>

      <section className="form-section" aria-labelledby="interface-title">
        <h2 id="interface-title">Interface</h2>
        <p className="muted small">
          Fields (what annotators see) and questions (what they answer); every kind and option is in docs/kinds.md.
        </p>
        {orphans ? <OrphansNotice message={messageOf(error)} orphans={orphans} projectId={projectId} /> : null}
        <div className="split split-interface">
          <InterfaceEditor text={draft.interfaceText} onChange={(v) => set("interfaceText", v)} problems={[...read.problems, ...serverProblems]} />
          <InterfacePreview value={lastGood} sample={sample} stale={read.problems.length > 0} />
        </div>
      </section>

      <div className="form-actions">
        {general ? <Notice tone="error">{general}</Notice> : null}
        {Object.keys(fields).length ? <Notice tone="error">{messageOf(error)}</Notice> : null}
        {serverProblems.length ? <Notice tone="error">The server refused the interface: see the problems under it.</Notice> : null}
        {saved && !error && !busy ? saved : null}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        <span className="muted small">or Ctrl+S</span>
      </div>
    </form>
  );
}

function GoldSection({
  draft,
  set,
  fields,
}: {
  draft: ProjectDraft;
  set: <K extends keyof ProjectDraft>(key: K, value: ProjectDraft[K]) => void;
  fields: Record<string, string>;
}) {
  return (
    <section className="form-section" aria-labelledby="gold-title">
      <h2 id="gold-title">Gold and qualification</h2>
      <p className="muted small">
        Tasks imported with a known answer (<code>gold</code> in the row) measure annotators. Gold tasks are mixed into the queue at this rate,
        unannounced; qualification tasks must be passed before real work; training tasks are practice (see the Gold tab). A change applies from
        then on: scores already given are never recomputed.
      </p>
      <div className="form-grid">
        <NumberInput
          label="Gold tasks served (%)"
          hint="of the tasks each annotator gets (0: none)"
          value={draft.goldPercent}
          onChange={(v) => set("goldPercent", v)}
          min={0}
          max={100}
          problem={fields.gold_rate}
        />
        <SelectInput
          label="After a gold task"
          value={draft.goldFeedback}
          onChange={(v) => set("goldFeedback", v === "yes" ? "yes" : "no")}
          options={[
            { value: "no", label: "Say nothing (annotators cannot tell gold apart)" },
            { value: "yes", label: "Show the expected answer and its explanation" },
          ]}
          problem={fields.gold_feedback}
        />
        <NumberInput
          label="Pause below a gold score of (%)"
          hint="until a manager resumes them (0: never)"
          value={draft.goldPausePercent}
          onChange={(v) => set("goldPausePercent", v)}
          min={0}
          max={100}
          problem={fields.gold_pause_below}
        />
        <NumberInput
          label="…after this many gold tasks"
          hint="(1–100,000)"
          value={draft.goldPauseMin}
          onChange={(v) => set("goldPauseMin", v)}
          min={1}
          max={100000}
          problem={fields.gold_pause_min}
        />
        <NumberInput
          label="Qualification: score to pass (%)"
          hint="on the qualification tasks, before real work (0: no qualification)"
          value={draft.qualificationPercent}
          onChange={(v) => set("qualificationPercent", v)}
          min={0}
          max={100}
          problem={fields.qualification_pass}
        />
        <NumberInput
          label="Qualification attempts"
          hint="(1–100)"
          value={draft.qualificationAttempts}
          onChange={(v) => set("qualificationAttempts", v)}
          min={1}
          max={100}
          problem={fields.qualification_attempts}
        />
      </div>
    </section>
  );
}

function ConsensusSection({
  draft,
  set,
  fields,
}: {
  draft: ProjectDraft;
  set: <K extends keyof ProjectDraft>(key: K, value: ProjectDraft[K]) => void;
  fields: Record<string, string>;
}) {
  return (
    <section className="form-section" aria-labelledby="consensus-title">
      <h2 id="consensus-title">Consensus and adjudication</h2>
      <p className="muted small">
        With an overlap above 1, each task that has all its annotations gets, per question, an agreement (0–1: how alike its answers are) and a
        consensus answer. A task whose lowest agreement is below the threshold first asks for one more annotator (up to the maximum below), then
        goes to adjudication, where a reviewer picks or writes the final answer (Adjudicate on the projects page).
      </p>
      <div className="form-grid">
        <SelectInput
          label="Consensus method"
          value={draft.consensusMethod}
          onChange={(v) => set("consensusMethod", v === "dawid_skene" ? "dawid_skene" : "majority")}
          options={[
            { value: "majority", label: "Majority vote (median for ratings, Borda for rankings, medoid for text)" },
            { value: "dawid_skene", label: "Dawid-Skene: weigh single-choice answers by each annotator's estimated skill" },
          ]}
          problem={fields.consensus_method}
        />
        <NumberInput
          label="Adjudicate below an agreement of"
          hint="0–1 (e.g. 0.6; 0: never adjudicate)"
          value={draft.agreementThreshold}
          onChange={(v) => set("agreementThreshold", v)}
          min={0}
          max={1}
          step={0.05}
          problem={fields.agreement_threshold}
        />
        <NumberInput
          label="Ask for more annotators, up to"
          hint="annotations per task before adjudication (0: never ask)"
          value={draft.maxOverlap}
          onChange={(v) => set("maxOverlap", v)}
          min={0}
          max={100}
          problem={fields.max_overlap}
        />
      </div>
    </section>
  );
}

function sameDraft(a: ProjectDraft, b: ProjectDraft): boolean {
  return (Object.keys(a) as (keyof ProjectDraft)[]).every((key) => a[key] === b[key]);
}

/** The latest non-null value (the preview keeps showing the last interface that could be read). */
function useLastGood<T>(value: T | null): T | null {
  const [good, setGood] = useState(value);
  useEffect(() => {
    if (value !== null) setGood(value);
  }, [value]);
  return value ?? good;
}

export function draftNumbers(draft: ProjectDraft): {
  overlap: number;
  lease_seconds: number;
  review_share: number;
  review_first: number;
  review_below_confidence: number;
  review_below_gold: number;
  review_faster_than: number;
  gold_rate: number;
  gold_pause_below: number;
  gold_pause_min: number;
  qualification_pass: number;
  qualification_attempts: number;
  agreement_threshold: number;
  max_overlap: number;
} {
  const overlap = Number(draft.overlap);
  const minutes = Number(draft.leaseMinutes);
  const percent = Number(draft.reviewPercent);
  const first = Number(draft.reviewFirst);
  return {
    overlap: Number.isFinite(overlap) ? Math.round(overlap) : NaN,
    lease_seconds: Number.isFinite(minutes) ? Math.round(minutes * 60) : NaN,
    // Whole hundredths of a percent, so 33.33 % stays 0.3333 and the text reads back as typed.
    review_share: Number.isFinite(percent) ? Math.round(percent * 100) / 10000 : NaN,
    review_first: Number.isFinite(first) ? Math.round(first) : NaN,
    review_below_confidence: Number(draft.reviewBelow || "0"),
    review_below_gold: share(draft.reviewBelowGold),
    review_faster_than: share(draft.reviewFasterThan),
    gold_rate: share(draft.goldPercent),
    gold_pause_below: share(draft.goldPausePercent),
    gold_pause_min: whole(draft.goldPauseMin),
    qualification_pass: share(draft.qualificationPercent),
    qualification_attempts: whole(draft.qualificationAttempts),
    agreement_threshold: Number(draft.agreementThreshold || "0"),
    max_overlap: whole(draft.maxOverlap || "0"),
  };
}

/** A percentage typed as text, as a share (0..1) in whole hundredths of a percent. */
function share(percent: string): number {
  const value = Number(percent || "0");
  return Number.isFinite(value) ? Math.round(value * 100) / 10000 : NaN;
}

function whole(text: string): number {
  const value = Number(text);
  return Number.isFinite(value) ? Math.round(value) : NaN;
}
