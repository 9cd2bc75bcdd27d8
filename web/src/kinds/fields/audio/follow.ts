/**
 * Keeping the playhead in view on a zoomed waveform while it plays (docs/audio.md): when it
 * nears the right edge of the window shown (or is outside it), the waveform turns the page
 * so that it is near the left edge again. Never while the person moves the view themselves:
 * a drag on the waveform holds it, and a scroll by hand (the wheel) lets go of the playhead
 * until it comes back into view by itself, or the person plays or seeks again.
 */
import type { View } from "./link";

/** Past this share of the window from its right edge, the page turns. */
const EDGE = 0.05;
/** After a turn, the playhead is this share of the window from its left edge. */
const LEAD = 0.1;

/** The start (s) the window should scroll to so `t` stays in view, or null (it is in view, or nothing is zoomed). */
export function pageTurn(view: View, t: number, duration: number): number | null {
  const span = view.end - view.start;
  if (span <= 0 || duration <= 0 || span >= duration - 1e-6) return null;
  if (t >= view.start && t <= view.end - span * EDGE) return null;
  if (t > view.end - span * EDGE && view.end >= duration - 1e-6) return null; // the end is shown already
  return Math.max(0, Math.min(duration - span, t - span * LEAD));
}

export class PlayheadFollower {
  private dragging = false;
  private detached = false;

  /** A pointer is down on the waveform (a drag) or let go. */
  pointer(down: boolean): void {
    this.dragging = down;
  }

  /** The person scrolled the view by hand: leave the view where they put it. */
  scrolledByHand(): void {
    this.detached = true;
  }

  /** Play or a seek: follow the playhead again. */
  resume(): void {
    this.detached = false;
  }

  /** Whether a scroll by hand holds the view (for tests and tools). */
  get holding(): boolean {
    return this.detached || this.dragging;
  }

  /** On a tick of playback: the start to scroll to, or null to leave the view alone. */
  tick(view: View, t: number, duration: number): number | null {
    if (this.dragging) return null;
    if (this.detached) {
      if (t >= view.start && t <= view.end) this.detached = false; // back in view by itself
      return null;
    }
    return pageTurn(view, t, duration);
  }
}
