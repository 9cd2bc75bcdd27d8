/** The guidelines' sections as flags name them: by anchor (the rule is the guidelines'
 * own, `screens/guidelines/anchors.ts`, the same as the server's). */
import { sections } from "../guidelines/anchors";

export interface GuidelineSection {
  anchor: string;
  title: string;
  level: number;
}

export function guidelineSections(markdown: string): GuidelineSection[] {
  return sections(markdown).map(({ anchor, title, level }) => ({ anchor, title: title || anchor, level }));
}

/** A section's title as the guidelines show it now ("" → "The guidelines as a whole"). */
export function sectionTitle(anchor: string, sections: GuidelineSection[]): string {
  if (!anchor) return "The guidelines as a whole";
  return sections.find((s) => s.anchor === anchor)?.title ?? `#${anchor} (no longer in the guidelines)`;
}

/** Flags grouped by section: sections in the guidelines' order, then unknown ones, then "". */
export function groupBySection<T extends { section: string }>(items: T[], sections: GuidelineSection[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.section, [...(groups.get(item.section) ?? []), item]);
  const order = (anchor: string): number => {
    if (anchor === "") return Number.MAX_SAFE_INTEGER;
    const i = sections.findIndex((s) => s.anchor === anchor);
    return i === -1 ? sections.length : i;
  };
  return [...groups.entries()].sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]));
}
