/** The annotate screen's keys, in one list: the cheat sheet and the key handler both read it. */
export interface Shortcut {
  /** A combination ("Shift+→"), or a sequence of them separated by spaces ("1 ↓ 4 ↓"). */
  keys: string;
  what: string;
}

export const GLOBAL_SHORTCUTS: Shortcut[] = [
  { keys: "Mod+Enter", what: "Submit and go to the next task" },
  { keys: "Tab", what: "Next question (Shift+Tab: previous)" },
  { keys: "j", what: "Next question (k: previous)" },
  { keys: "Mod+Z", what: "Undo" },
  { keys: "Mod+Shift+Z", what: "Redo (also Mod+Y)" },
  { keys: "s", what: "Skip this task (asks for a reason)" },
  { keys: "q", what: "Flag as unclear: ask the leads a question about this task (then skip it or keep working)" },
  { keys: "g", what: "Show or hide the guidelines (and the FAQ beside them; / searches it)" },
  { keys: "m", what: "A model's suggestion: put it in, or take it out (tasks that have one)" },
  { keys: "Shift+M", what: "Suggest: ask the project's model server for an answer now (projects that connect one)" },
  {
    keys: "Alt+L",
    what: "Suggest with LLM: a rewrite of the active text answer, also while typing (projects with a rewrite template); then Alt+Enter uses it, Esc dismisses it",
  },
  { keys: "Alt+G", what: "Open or close the active question's guideline section (questions linked to one)" },
  { keys: "h", what: "Sensitive task: reveal its content (again: hide it)" },
  { keys: "Shift+H", what: "Mark this task sensitive (a manager can unmark it)" },
  { keys: "b", what: "When asked to take a break: say you took one" },
  { keys: "?", what: "Show this list" },
  { keys: "Esc", what: "Leave a text box; close a panel" },
  { keys: "Mod+Shift+E", what: "Report a problem with the tool (on every page)" },
  { keys: "F2", what: "Edit the selected shape, track, event or segment's details (label, attributes, times): Tab between them, Esc back" },
];

/** The review screen's keys (the questions' keys work too: a change is the reviewer's fix). */
export const REVIEW_SHORTCUTS: Shortcut[] = [
  { keys: "Mod+Enter", what: "Accept (Fix and accept once you changed the answer) and go to the next review" },
  { keys: "r", what: "Reject: send it back to its author with a reason and comments" },
  { keys: "s", what: "Pass: hand it to another reviewer" },
  { keys: "q", what: "Flag as unclear: ask the leads a question about this task" },
  { keys: "h", what: "Sensitive task: reveal its content (again: hide it); Shift+H marks a task sensitive" },
  { keys: "Alt+1", what: "Tick checklist item 1…9 as failed (again: untick); sent with a fix or a rejection" },
  { keys: "Tab", what: "Next question (Shift+Tab: previous)" },
  { keys: "Mod+Z", what: "Undo a change (Mod+Shift+Z: redo)" },
  { keys: "g", what: "Show or hide the guidelines" },
  { keys: "?", what: "Show this list" },
  { keys: "Esc", what: "Leave a text box; close a panel" },
];

export const QUESTION_SHORTCUTS: Shortcut[] = [
  { keys: "1", what: "Choice: pick option 1…9 (0 is the 10th); Del clears" },
  { keys: "←", what: "Rating: one less (→ one more); a number picks that rating" },
  { keys: "1", what: "Pairwise: 1 A, 2 B, 3 tie; Shift+1…3 how much better" },
  { keys: "Shift+→", what: "Spans: select by word (Alt for a character), or drag or double-click with the mouse; then a label's number or button" },
  { keys: "]", what: "Spans: pick the next span ([ previous); a number relabels it, Del deletes it" },
  { keys: "i", what: "Image shapes: the Smart tool (projects with a model server for Suggest): click an object or drag a box and the model outlines it; Enter asks at the crosshair, N at two corners asks with a box; Esc leaves" },
  { keys: "Shift+↓", what: "Ranking: move the item down (↑/↓ choose it, a number sends it to that place, Enter keeps the order)" },
  {
    keys: "1 ↓ 4 ↓",
    what: "Rubric and turns: a number judges the highlighted criterion or turn and the highlight stays there; ↓ (↑) moves it. So 1 ↓ 4 ↓ judges the first row 1, then the second 4",
  },
];
