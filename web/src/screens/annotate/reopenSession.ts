/**
 * Fixing one's own submitted annotation (My work → Reopen), with the annotate loop's draft
 * keeping (`DraftKeeper`): the fix in progress is kept in this browser and autosaved as the
 * task's draft on the server, the save state shown is the real one, and saving the fix first
 * stops autosaves so none lands after it. A reviewed annotation is locked: it shows the
 * annotation as the review left it (never a draft of this browser or the server's), its store
 * refuses every change (`EditorStore.lock`), and nothing is kept or saved as a draft.
 */
import { Observable } from "../../ui/observable";
import { api, ApiError, type Annotation, type Project, type TaskDetail } from "../../api";
import type { SaveState } from "../../editor/autosave";
import { LocalDrafts, mergeDrafts, type KeyValue } from "../../editor/draft";
import { parseInterface } from "../../editor/interface";
import { EditorStore } from "../../editor/store";
import { rememberSaved } from "./checkWarnings";
import { DraftKeeper, type KeeperOptions } from "./draftKeeper";
import { originalityGate, showRefusal } from "./originality";
import type { Notice } from "./session";

export interface ReopenView {
  saveState: SaveState;
  busy: "submitting" | null;
  notice: Notice | null;
  /** Reviewed annotations can no longer be changed. */
  editable: boolean;
}

export class ReopenSession extends Observable<ReopenView> {
  readonly store: EditorStore;
  readonly keeper: DraftKeeper;
  private readonly syncedAt: string;

  constructor(
    readonly project: Project,
    readonly annotation: Annotation,
    readonly detail: TaskDetail,
    userId: number,
    storage: KeyValue,
    options: KeeperOptions = {},
  ) {
    super(firstView(annotation));
    const iface = parseInterface(project.interface);
    const drafts = new LocalDrafts(storage, userId);
    this.keeper = new DraftKeeper(iface, drafts, (saveState) => this.set({ saveState }), options);
    if (!this.view.editable) {
      // Locked: what the review left, whatever copy of an earlier fix lies around.
      this.store = new EditorStore(iface, detail.task.data, annotation.result);
      this.store.lock();
      this.syncedAt = annotation.updated_at;
      return;
    }
    // A copy newer than the annotation (in this browser, or autosaved on the server) is work
    // in progress on this fix.
    const saved = detail.draft && detail.draft.updated_at > annotation.updated_at ? detail.draft : null;
    const merged = mergeDrafts(drafts.read(detail.task.id), saved ?? { result: annotation.result, seconds: 0, updated_at: annotation.updated_at });
    this.store = new EditorStore(iface, detail.task.data, merged.chosen?.result ?? annotation.result);
    this.syncedAt = saved?.updated_at ?? annotation.updated_at;
  }

  /** The annotation can no longer be changed (reviewed): shown, never edited or saved. */
  get locked(): boolean {
    return !this.view.editable;
  }

  /**
   * Start keeping the fix (the screen is shown). A locked annotation is not kept at all: no
   * copy in this browser, no draft on the server (the keeper only counts active time).
   */
  start(): void {
    if (this.locked) return;
    this.keeper.attach(this.detail.task.id, this.store, this.syncedAt, 0, true);
  }

  /**
   * Save the fix; true when the server has it (the screen then leaves, and My work shows the
   * checks' warnings: `rememberSaved`). Close to earlier work, the originality dialog opens
   * first (as at submit): `again` is what its "Save anyway" calls (`save(true, again)`).
   */
  async save(anyway = false, again: () => void = () => undefined): Promise<boolean> {
    if (this.view.busy || this.locked) return false;
    const problems = this.keeper.problems(this.store);
    if (problems.length) {
      this.store.setServerProblems(problems);
      return false;
    }
    this.set({ busy: "submitting", notice: null });
    if (!anyway && !(await originalityGate(this.project.interface, this.detail.task.id, this.store.result, again, this.annotation.id))) {
      this.set({ busy: null });
      return false;
    }
    try {
      await this.keeper.stop(); // no autosave may land after the edit and leave a stale draft
      const edited = await api.annotations.edit(this.annotation.id, this.store.result, this.keeper.seconds());
      rememberSaved(this.annotation.id, edited.warnings ?? []);
      this.keeper.sent(this.detail.task.id);
      this.keeper.detach();
      this.set({ busy: null, saveState: "saved" });
      return true;
    } catch (error) {
      this.set({ busy: null });
      if (this.view.editable) this.keeper.resume();
      if (error instanceof ApiError && error.code === "not_original") showRefusal(error.details, this.store.result);
      if (error instanceof ApiError && error.status === 409) this.set({ notice: { tone: "warning", text: error.message } });
      else if (error instanceof ApiError && error.status === 422) {
        this.store.setServerProblems(error.problems);
        this.set({ notice: { tone: "error", text: error.message } });
      } else if (!(error instanceof ApiError && error.isUnauthorized)) {
        this.set({ notice: { tone: "error", text: error instanceof Error ? error.message : String(error) } });
      }
      return false;
    }
  }

  activity(): void {
    this.keeper.activity();
  }

  leaving(): void {
    this.keeper.leaving();
  }

  back(): void {
    this.keeper.back();
  }

  seconds(): number {
    return this.keeper.seconds();
  }

  dispose(): void {
    this.keeper.dispose();
    this.forget();
  }
}

function firstView(annotation: Annotation): ReopenView {
  const editable = annotation.editable;
  return {
    saveState: "saved",
    busy: null,
    editable,
    notice: editable ? null : { tone: "warning", text: `This annotation was reviewed (${annotation.review_state}); it can no longer be changed.` },
  };
}
