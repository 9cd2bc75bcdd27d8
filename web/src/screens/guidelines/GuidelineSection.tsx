import { useEffect, useMemo, useState } from "react";
import { Kbd } from "../../ui/Kbd";
import { sectionText, sections } from "./anchors";
import "./guidelines.css";
import { useCurrentGuidelines } from "./currentGuidelines";
import { GuidelineMarkdown } from "./GuidelineMarkdown";

/**
 * A question's guideline section (its `guideline` anchor), beside it while annotating:
 * collapsed to its title; opened by a click, or Alt+G on the active question. Nothing when the
 * project's guidelines lack the section (a manager sees a warning when saving instead).
 */
export function GuidelineSection({ anchor, active }: { anchor: string | undefined; active: boolean }) {
  const guidelines = useCurrentGuidelines();
  const text = guidelines?.text ?? "";
  const found = useMemo(() => (anchor ? sections(text).find((s) => s.anchor === anchor) ?? null : null), [text, anchor]);
  const body = useMemo(() => (anchor && found ? sectionText(text, anchor) ?? "" : ""), [text, anchor, found]);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!active || !found) return;
    function onKeyDown(event: KeyboardEvent): void {
      if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyG") {
        event.preventDefault();
        setOpen((was) => !was);
      }
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [active, found]);

  if (!found) return null;
  return (
    <details className="guideline-section" open={open} data-guideline={found.anchor} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Guideline: <strong>{found.title || found.anchor}</strong> {active ? <Kbd keys="Alt+G" /> : null}
      </summary>
      {open ? <GuidelineMarkdown source={body.split("\n").slice(1).join("\n")} /> : null}
    </details>
  );
}
