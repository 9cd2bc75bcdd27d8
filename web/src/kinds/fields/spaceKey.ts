/**
 * Space plays or pauses a media player from anywhere on the page (docs/audio.md): the player
 * used last, else the first on the page; never while typing in a text box, and never when
 * another control (a button, a checkbox, a radio) has the focus outside the player, which keeps
 * its own Space. `useSpaceKey(root, toggle)` registers a player's element.
 */
import { useEffect, useRef, type RefObject } from "react";
import { isTypingTarget } from "../types";

const players: HTMLElement[] = [];
let lastUsed: HTMLElement | null = null;

/** Mark `element` as the player used last (a click or focus inside it). */
export function usedPlayer(element: HTMLElement | null): void {
  lastUsed = element;
}

export function useSpaceKey(root: RefObject<HTMLElement | null>, toggle: () => void, ready: boolean): void {
  const toggleRef = useRef(toggle);
  toggleRef.current = toggle;
  useEffect(() => {
    const el = root.current;
    if (!el || !ready) return;
    players.push(el);
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== " " || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      if (target && !el.contains(target) && target.closest("button, input, select, [role=radio], [role=checkbox]")) return;
      const chosen = lastUsed && document.contains(lastUsed) ? lastUsed : players[0];
      if (chosen !== el) return;
      event.preventDefault();
      if (!event.repeat) toggleRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      players.splice(players.indexOf(el), 1);
      if (lastUsed === el) lastUsed = null;
    };
  }, [root, ready]);
}
