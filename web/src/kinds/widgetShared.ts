/** What the widgets of one task share (see `WidgetShared`), provided by `WidgetContext`. */
import { createContext } from "react";
import { sharedRuleEngine, type RuleEngine } from "../editor/ruleEngine";
import { UiState } from "./uiState";

/**
 * Per-task widget state shared between places, a way to announce results to screen readers,
 * and the engine that checks text rules off the page's thread (the session's, so that the
 * verdicts shown are the ones submitting uses).
 */
export class WidgetShared {
  private states = new Map<string, UiState<unknown>>();
  constructor(
    readonly announce: (message: string) => void = () => {},
    private readonly engine: RuleEngine | null = null,
    /** The task being annotated, for widgets that call the server about it (the image assist). */
    readonly taskId: number | null = null,
    /** The answers are shown, not edited (the manager's task page, the answers compared in
     * adjudication): the image widget then only pans, zooms and selects. */
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
