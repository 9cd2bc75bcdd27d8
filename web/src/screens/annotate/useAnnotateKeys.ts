import { useEffect, useRef } from "react";
import type { EditorStore } from "../../editor/store";
import { isTypingTarget } from "../../kinds/types";

interface Keys {
  enabled: boolean;
  store: EditorStore | null;
  submit: () => void;
  skip: () => void;
  guidelines: () => void;
  help: () => void;
  /** Put the model's suggestion in, or take it out (only where a task has one). */
  suggestion?: (() => void) | null;
  /** Suggest: ask the project's model for an answer (Shift+M; projects that offer it). */
  ask?: (() => void) | null;
  /** More single-letter keys of the screen (lower case), e.g. the review screen's `r`. */
  letters?: Record<string, () => void>;
}

/**
 * The screen-wide keys (see shortcuts.ts). Keys a question widget handled (defaultPrevented)
 * are left alone; single letters never fire while typing in a text box.
 */
export function useAnnotateKeys(keys: Keys): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      const { enabled, store, submit, skip, guidelines, help, suggestion, ask, letters } = ref.current;
      if (!enabled || event.defaultPrevented) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && event.key === "Enter") {
        event.preventDefault();
        if (!event.repeat) submit(); // a held key is one press
        return;
      }
      if (mod && !event.altKey && (key === "z" || key === "y")) {
        event.preventDefault();
        if (key === "y" || event.shiftKey) store?.redo();
        else store?.undo();
        return;
      }
      if (mod || event.altKey || isTypingTarget(event.target)) return;
      if (event.key === "?") help();
      else if (key === "g") guidelines();
      else if (key === "s" && !event.shiftKey) skip();
      else if (key === "m" && !event.shiftKey && suggestion) suggestion();
      else if (key === "m" && event.shiftKey && ask) ask();
      else if (key === "j" && store) store.focusBy(1);
      else if (key === "k" && store) store.focusBy(-1);
      else if (event.key === "Tab" && store) store.focusBy(event.shiftKey ? -1 : 1);
      else if (!event.shiftKey && letters?.[key]) letters[key]();
      else return;
      event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}
