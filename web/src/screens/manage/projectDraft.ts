/** Between a project and the settings form's text values. */
import type { Project, ProjectChange, ProjectCreate, QueueOrder, UncertaintyMeasure } from "../../api";
import { draftNumbers, type ProjectDraft } from "./ProjectForm";
import { checklistToText, textToChecklist } from "./checklistText";
import { interfaceToYaml } from "./interfaceText";

export const STARTER_INTERFACE = `# What annotators see (fields) and answer (questions): see docs/kinds.md
fields:
  - {name: text, kind: text}
questions:
  - {name: label, kind: choice, options: [positive, neutral, negative], required: true}
`;

const ORDERS: readonly string[] = ["sequential", "random", "priority", "uncertainty", "disagreement"] satisfies QueueOrder[];
const MEASURES: readonly string[] = ["least_confident", "margin", "entropy"] satisfies UncertaintyMeasure[];

export const NEW_PROJECT: ProjectDraft = {
  name: "",
  description: "",
  overlap: "1",
  leaseMinutes: "60",
  order: "sequential",
  uncertaintyMeasure: "least_confident",
  diversity: "no",
  reviewPercent: "0",
  reviewFirst: "0",
  reviewBelow: "0",
  reviewDisagreements: "no",
  reviewBelowGold: "0",
  reviewFasterThan: "0",
  checklistText: "",
  goldPercent: "0",
  goldFeedback: "no",
  goldPausePercent: "0",
  goldPauseMin: "10",
  qualificationPercent: "0",
  qualificationAttempts: "2",
  consensusMethod: "majority",
  agreementThreshold: "0",
  maxOverlap: "0",
  guidelines: "",
  interfaceText: STARTER_INTERFACE,
};

export function draftOf(project: Project): ProjectDraft {
  return {
    name: project.name,
    description: project.description,
    overlap: String(project.overlap),
    leaseMinutes: String(project.lease_seconds / 60),
    order: ORDERS.includes(project.order as QueueOrder) ? (project.order as QueueOrder) : "sequential",
    uncertaintyMeasure: MEASURES.includes(project.uncertainty_measure as UncertaintyMeasure)
      ? (project.uncertainty_measure as UncertaintyMeasure)
      : "least_confident",
    diversity: project.diversity ? "yes" : "no",
    reviewPercent: String(Math.round(project.review_share * 10000) / 100),
    reviewFirst: String(project.review_first),
    reviewBelow: String(project.review_below_confidence),
    reviewDisagreements: project.review_disagreements ? "yes" : "no",
    reviewBelowGold: percentText(project.review_below_gold),
    reviewFasterThan: percentText(project.review_faster_than),
    checklistText: checklistToText(project.checklist),
    goldPercent: percentText(project.gold_rate),
    goldFeedback: project.gold_feedback ? "yes" : "no",
    goldPausePercent: percentText(project.gold_pause_below),
    goldPauseMin: String(project.gold_pause_min),
    qualificationPercent: percentText(project.qualification_pass),
    qualificationAttempts: String(project.qualification_attempts),
    consensusMethod: project.consensus_method === "dawid_skene" ? "dawid_skene" : "majority",
    agreementThreshold: String(project.agreement_threshold),
    maxOverlap: String(project.max_overlap),
    guidelines: project.guidelines,
    interfaceText: interfaceToYaml(project.interface),
  };
}

export function createBody(draft: ProjectDraft): ProjectCreate {
  return {
    name: draft.name,
    description: draft.description,
    guidelines: draft.guidelines,
    order: draft.order,
    uncertainty_measure: draft.uncertaintyMeasure,
    diversity: draft.diversity === "yes",
    interface: draft.interfaceText,
    checklist: textToChecklist(draft.checklistText),
    review_disagreements: draft.reviewDisagreements === "yes",
    gold_feedback: draft.goldFeedback === "yes",
    consensus_method: draft.consensusMethod,
    ...draftNumbers(draft),
  };
}

/** Only what changed (an unchanged interface is not sent, so it is not checked again). */
export function changeBody(before: ProjectDraft, after: ProjectDraft): ProjectChange {
  const all = createBody(after);
  const old = createBody(before);
  const out: ProjectChange = {};
  for (const key of Object.keys(all) as (keyof ProjectCreate)[]) {
    if (JSON.stringify(all[key]) !== JSON.stringify(old[key])) (out as Record<string, unknown>)[key] = all[key];
  }
  return out;
}

function percentText(share: number): string {
  return String(Math.round(share * 10000) / 100);
}
