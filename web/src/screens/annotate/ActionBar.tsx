import { useEffect, useState } from "react";
import type { SaveState } from "../../editor/autosave";
import { Kbd } from "../../ui/Kbd";

interface ActionBarProps {
  canUndo: boolean;
  canRedo: boolean;
  saveState: SaveState;
  /** Something was changed since the task opened (else there is no draft to speak of). */
  touched: boolean;
  busy: "submitting" | "skipping" | null;
  seconds: () => number;
  guidelinesOpen: boolean;
  onSubmit: () => void;
  /** Absent: no skipping here. */
  onSkip?: () => void;
  /** "Flag as unclear" (absent: not here). */
  onFlag?: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onGuidelines: () => void;
  onHelp: () => void;
  submitLabel?: string;
  /** Why there is nothing to submit here (the button is then disabled, this its tooltip). */
  submitRefused?: string;
  /** Suggest: ask the project's model server (absent: the project has none). */
  onSuggest?: () => void;
  /** A suggestion was asked for and has not come back yet. */
  suggesting?: boolean;
}

const SAVE_TEXT: Record<SaveState, string> = {
  saved: "Draft saved",
  pending: "Draft kept in this browser; saving it in a moment",
  saving: "Saving draft…",
  error: "Offline: draft kept in this browser, retrying",
};

/** The bar under the task: every action with its key. */
export function ActionBar(props: ActionBarProps) {
  return (
    <footer className="action-bar" aria-label="Actions">
      <div className="action-group">
        <button type="button" className="button-primary" onClick={props.onSubmit} disabled={props.busy !== null || props.submitRefused !== undefined} title={props.submitRefused}>
          {props.busy === "submitting" ? "Submitting…" : (props.submitLabel ?? "Submit")} <Kbd keys="Mod+Enter" />
        </button>
        {props.onSkip ? (
          <button type="button" onClick={props.onSkip} disabled={props.busy !== null}>
            Skip <Kbd keys="s" />
          </button>
        ) : null}
        {props.onFlag ? (
          <button type="button" onClick={props.onFlag} disabled={props.busy !== null}>
            Flag as unclear <Kbd keys="q" />
          </button>
        ) : null}
        {props.onSuggest ? (
          <button type="button" onClick={props.onSuggest} disabled={props.busy !== null || props.suggesting} aria-busy={props.suggesting ?? false}>
            {props.suggesting ? "Asking the model…" : "Suggest"} <Kbd keys="Shift+M" />
          </button>
        ) : null}
        <button type="button" onClick={props.onUndo} disabled={!props.canUndo}>
          Undo <Kbd keys="Mod+Z" />
        </button>
        <button type="button" onClick={props.onRedo} disabled={!props.canRedo}>
          Redo <Kbd keys="Mod+Shift+Z" />
        </button>
      </div>
      <div className="action-group action-status">
        <SaveStatus state={props.saveState} touched={props.touched} />
        <ActiveTime seconds={props.seconds} />
      </div>
      <div className="action-group">
        <button type="button" aria-pressed={props.guidelinesOpen} onClick={props.onGuidelines}>
          Guidelines <Kbd keys="g" />
        </button>
        <button type="button" onClick={props.onHelp}>
          Shortcuts <Kbd keys="?" />
        </button>
      </div>
    </footer>
  );
}

function SaveStatus({ state, touched }: { state: SaveState; touched: boolean }) {
  const text = state === "saved" && !touched ? "No changes yet" : SAVE_TEXT[state];
  return (
    <span className={`save-state save-${state}`} role="status" data-save-state={state} title={text}>
      {text}
    </span>
  );
}

function ActiveTime({ seconds }: { seconds: () => number }) {
  const [value, setValue] = useState(seconds());
  useEffect(() => {
    const timer = window.setInterval(() => setValue(seconds()), 1000);
    return () => window.clearInterval(timer);
  }, [seconds]);
  const whole = Math.floor(value);
  return (
    <span className="muted small" title="Time with this tab visible and you active">
      Active {Math.floor(whole / 60)}:{String(whole % 60).padStart(2, "0")}
    </span>
  );
}
