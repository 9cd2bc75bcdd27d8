import type { MetricsRow } from "../../api";
import type { Column } from "./SortableTable";
import { decimal, duration, percent } from "./format";

/** The figures every row has (per annotator and per period), as table columns. */
export const WORK_COLUMNS: Column<MetricsRow>[] = [
  { key: "submitted", label: "Submitted", value: (r) => r.submitted },
  { key: "skipped", label: "Skipped", value: (r) => r.skipped },
  { key: "active", label: "Active time", value: (r) => r.active_seconds, cell: (r) => duration(r.active_seconds), title: "Active annotation time" },
  {
    key: "throughput",
    label: "Tasks/h",
    value: (r) => r.throughput_per_hour,
    cell: (r) => decimal(r.throughput_per_hour, 1),
    title: "Submissions per active hour",
  },
  { key: "reviewed", label: "Reviewed", value: (r) => r.reviewed },
  { key: "accept", label: "Accepted", value: (r) => r.accept_rate, cell: (r) => percent(r.accept_rate) },
  { key: "fix", label: "Fixed", value: (r) => r.fix_rate, cell: (r) => percent(r.fix_rate) },
  { key: "reject", label: "Rejected", value: (r) => r.reject_rate, cell: (r) => percent(r.reject_rate) },
  { key: "failures", label: "Checklist fails", value: (r) => r.checklist_failures, title: "Checklist items failed in their reviews" },
  {
    key: "gold",
    label: "Gold",
    value: (r) => r.gold_accuracy,
    cell: (r) =>
      r.gold_accuracy === null ? (
        "—"
      ) : (
        <span title={`${r.gold_scored} gold tasks; 95% interval ${percent(r.gold_low)} to ${percent(r.gold_high)}`}>
          {percent(r.gold_accuracy)} <span className="muted small">[{percent(r.gold_low, 0)}–{percent(r.gold_high, 0)}]</span>
        </span>
      ),
    title: "Mean gold score with its 95% Wilson interval",
  },
];

export const AGREEMENT_COLUMNS: Column<MetricsRow>[] = [
  { key: "others", label: "Agree: others", value: (r) => r.agreement_others, cell: (r) => percent(r.agreement_others), title: "Agreement with the other annotators of the same tasks" },
  { key: "consensus", label: "Agree: consensus", value: (r) => r.agreement_consensus, cell: (r) => percent(r.agreement_consensus), title: "Agreement with each task's consensus" },
  { key: "skill", label: "DS skill", value: (r) => r.skill, cell: (r) => decimal(r.skill), title: "Dawid-Skene skill: the probability their answers are right" },
];

export const who = (row: MetricsRow): string => row.annotator_name || row.annotator || `#${row.key}`;
