/**
 * The guidelines of the project being annotated, as the annotate screen shows them beside the
 * questions and in its panel. Set from the project when the screen opens, replaced when the
 * annotator acknowledges a newer version (without reloading the screen), cleared when it
 * closes (so another screen never shows another project's sections).
 */
import { useEffect, useSyncExternalStore } from "react";

export interface CurrentGuidelines {
  projectId: number;
  text: string;
  version: number;
}

let current: CurrentGuidelines | null = null;
const listeners = new Set<() => void>();

export function setCurrentGuidelines(value: CurrentGuidelines | null): void {
  current = value;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCurrentGuidelines(): CurrentGuidelines | null {
  return useSyncExternalStore(subscribe, () => current);
}

/** Keep the store on this project's guidelines while the calling screen is shown. */
export function useGuidelinesOf(project: { id: number; guidelines: string; guidelines_version: number }): void {
  useEffect(() => {
    if (current?.projectId !== project.id || current.version < project.guidelines_version) {
      setCurrentGuidelines({ projectId: project.id, text: project.guidelines, version: project.guidelines_version });
    }
    return () => setCurrentGuidelines(null);
  }, [project.id, project.guidelines, project.guidelines_version]);
}
