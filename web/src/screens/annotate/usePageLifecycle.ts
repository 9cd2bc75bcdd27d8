import { useEffect } from "react";

/** What follows the page's visibility and the person's activity (a session of the annotate or reopen screen). */
export interface PageFollower {
  leaving(): void;
  back(): void;
  activity(): void;
}

/** Count time only while the tab is visible; save when it is hidden or closed. */
export function usePageLifecycle(follower: PageFollower): void {
  useEffect(() => {
    const onVisibility = (): void => {
      if (document.visibilityState === "hidden") follower.leaving();
      else follower.back();
    };
    const onLeave = (): void => follower.leaving();
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", onLeave);
    const events = ["keydown", "pointerdown", "wheel", "pointermove"] as const;
    let last = 0;
    const throttled = (): void => {
      const now = performance.now();
      if (now - last > 1000) {
        last = now;
        follower.activity();
      }
    };
    for (const name of events) window.addEventListener(name, throttled, { passive: true });
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", onLeave);
      for (const name of events) window.removeEventListener(name, throttled);
    };
  }, [follower]);
}
