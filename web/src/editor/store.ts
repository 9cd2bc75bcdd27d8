/**
 * The annotation being edited: the result (answers keyed by question name), its undo
 * history, which question has focus, and the server's problems from the last submit.
 * Plain TypeScript: React reads it with `useSyncExternalStore(store.subscribe, store.getSnapshot)`;
 * the annotate screen listens to `onResultChange` to save drafts. No rendering, no network.
 *
 * A locked store (`lock()`: a reviewed annotation shown as the review left it) refuses every
 * change of the result, whatever asks for it (a widget, a key, undo or redo): the one place
 * that keeps the page from showing an answer that is not the one the server has.
 */
import type { Json, JsonObject, Problem } from "../api/types";
import { History, type PushOptions } from "./history";
import type { Interface } from "./interface";
import { questionOfPath } from "./answers";

export interface EditorState {
  result: JsonObject;
  /** The question with keyboard focus (number keys go to it), or null. */
  active: string | null;
  /** The server's problems from the last submit, cleared question by question as they are edited. */
  serverProblems: Problem[];
  canUndo: boolean;
  canRedo: boolean;
  /** Increases on every change of the result. */
  revision: number;
  /** The result cannot change (`lock()`): answers, undo and redo are refused. */
  readOnly: boolean;
}

type Listener = () => void;

export class EditorStore {
  private state: EditorState;
  private readonly history = new History<JsonObject>();
  private readonly listeners = new Set<Listener>();
  private readonly resultListeners = new Set<(result: JsonObject) => void>();

  constructor(
    readonly iface: Interface,
    readonly data: JsonObject,
    initial: JsonObject = {},
  ) {
    this.state = {
      result: initial,
      active: iface.questions[0]?.name ?? null,
      serverProblems: [],
      canUndo: false,
      canRedo: false,
      revision: 0,
      readOnly: false,
    };
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): EditorState => this.state;

  /** Called with the new result after every change (answers, undo, redo). */
  onResultChange(listener: (result: JsonObject) => void): () => void {
    this.resultListeners.add(listener);
    return () => this.resultListeners.delete(listener);
  }

  private set(patch: Partial<EditorState>, resultChanged: boolean): void {
    const readOnly = patch.readOnly ?? this.state.readOnly;
    this.state = {
      ...this.state,
      ...patch,
      canUndo: !readOnly && this.history.canUndo,
      canRedo: !readOnly && this.history.canRedo,
      revision: this.state.revision + (resultChanged ? 1 : 0),
    };
    for (const listener of this.listeners) listener();
    if (resultChanged) for (const listener of this.resultListeners) listener(this.state.result);
  }

  get result(): JsonObject {
    return this.state.result;
  }

  get readOnly(): boolean {
    return this.state.readOnly;
  }

  /**
   * From now on the result is only shown: every change (`answer`, `replace`, `undo`, `redo`)
   * is refused and no result listener is called again. There is no unlock: a screen that may
   * edit again makes a new store.
   */
  lock(): void {
    if (this.state.readOnly) return;
    this.history.clear();
    this.set({ readOnly: true }, false);
  }

  /** Set one question's answer (undefined clears it): one undo step, or merged typing. Refused when locked. */
  answer(name: string, value: Json | undefined, options: PushOptions = {}): void {
    if (this.state.readOnly) return;
    const before = this.state.result;
    if (before[name] === value) return;
    const after: JsonObject = { ...before };
    if (value === undefined) delete after[name];
    else after[name] = value;
    this.history.push(before, after, options);
    this.set(
      {
        result: after,
        active: name,
        serverProblems: this.state.serverProblems.filter((p) => questionOfPath(p.path) !== name),
      },
      true,
    );
  }

  /** Replace the whole result as one undoable step (e.g. "use the other draft"). */
  replace(result: JsonObject): void {
    if (this.state.readOnly) return;
    this.history.push(this.state.result, result);
    this.history.seal();
    this.set({ result }, true);
  }

  undo(): boolean {
    if (this.state.readOnly) return false;
    const previous = this.history.undo();
    if (previous === null) return false;
    this.set({ result: previous }, true);
    return true;
  }

  redo(): boolean {
    if (this.state.readOnly) return false;
    const next = this.history.redo();
    if (next === null) return false;
    this.set({ result: next }, true);
    return true;
  }

  focus(name: string | null): void {
    if (name === this.state.active) return;
    this.history.seal();
    this.set({ active: name }, false);
  }

  /** Move the focus `delta` questions on (wrapping). */
  focusBy(delta: number): string | null {
    const names = this.iface.questions.map((q) => q.name);
    if (names.length === 0) return null;
    const at = this.state.active === null ? -1 : names.indexOf(this.state.active);
    const next = names[(((at + delta) % names.length) + names.length) % names.length] as string;
    this.focus(next);
    return next;
  }

  setServerProblems(problems: Problem[]): void {
    const first = problems.map((p) => questionOfPath(p.path)).find((name): name is string => name !== null);
    this.set({ serverProblems: problems, active: first ?? this.state.active }, false);
  }

  /** Problems for one question. */
  problemsOf(name: string): Problem[] {
    return this.state.serverProblems.filter((p) => questionOfPath(p.path) === name);
  }
}
