/** What the widgets of one task share (see `WidgetShared`), provided by `WidgetContext`. */
import { createContext } from "react";
import { sharedRuleEngine, type RuleEngine } from "../editor/ruleEngine";
import type { JsonObject } from "../api/types";
import type { MlSuggestion } from "../api/mlBackends";
import { UiState } from "./uiState";

/** Asks the project's interactive model server about the task with a context (points and
 * boxes drawn on an image); rejects with the server's words. */
export type ModelAsk = (context: JsonObject) => Promise<MlSuggestion>;

/**
 * Per-task widget state shared between places, a way to announce results to screen readers,
 * and the engine that checks text rules off the page's thread (the session's, so that the
 * verdicts shown are the ones submitting uses).
 */
export class WidgetShared {
  private states = new Map<string, UiState<unknown>>();
  /** The interactive model server, when the screen offers one (the image widget's Smart tool). */
  readonly model = new UiState<ModelAsk | null>(null);
  constructor(
    readonly announce: (message: string) => void = () => {},
    private readonly engine: RuleEngine | null = null,
    /** The task being annotated, for widgets that call the server about it (the image assist). */
    readonly taskId: number | null = null,
    /** The answers are shown, not edited (the manager's task page, the answers compared in
     * adjudication, a reviewed annotation of one's own): the image widget then only pans, zooms
     * and selects; `TaskView` disables the questions' controls (its store is locked). */
    readonly readOnly: boolean = false,
  ) {}
  get rules(): RuleEngine {
    return this.engine ?? sharedRuleEngine();
  }
  get<T>(key: string, initial: T): UiState<T> {
    let state = this.states.get(key);
    if (!state) {
      state = new UiState<unknown>(initial);
      this.states.set(key, state);
    }
    return state as UiState<T>;
  }
}

export const WidgetContext = createContext<WidgetShared>(new WidgetShared());
