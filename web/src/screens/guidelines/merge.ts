/**
 * Putting a three-way merge of the guidelines back together (the server merges: see
 * `accord.formats.guideline_merge`): the lines both sides agree on, and for each conflict the
 * side the editor chose.
 */
import type { GuidelineMergeChunk } from "../../api";

/** What to keep of a conflict: mine, theirs, or both (mine first). */
export type Take = "mine" | "theirs" | "both";

/** The conflicts of `chunks`, in order. */
export function conflictsOf(chunks: GuidelineMergeChunk[]): Extract<GuidelineMergeChunk, { kind: "conflict" }>[] {
  return chunks.filter((chunk): chunk is Extract<GuidelineMergeChunk, { kind: "conflict" }> => chunk.kind === "conflict");
}

/** The merged text, conflict `i` resolved by `take[i]`; null while one has no choice. */
export function resolveMerge(chunks: GuidelineMergeChunk[], take: (Take | undefined)[]): string | null {
  const out: string[] = [];
  let conflict = 0;
  for (const chunk of chunks) {
    if (chunk.kind === "same") {
      out.push(...chunk.lines);
      continue;
    }
    const choice = take[conflict++];
    if (!choice) return null;
    if (choice !== "theirs") out.push(...chunk.mine);
    if (choice !== "mine") out.push(...chunk.theirs);
  }
  return out.join("\n");
}
