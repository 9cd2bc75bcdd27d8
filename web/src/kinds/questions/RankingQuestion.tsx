import { useContext, useState, type DragEvent, type KeyboardEvent } from "react";
import type { RankingSpec } from "../../editor/interface";
import { optionText } from "../../editor/interface";
import { digitOf, isObject, isTypingTarget, type QuestionProps } from "../types";
import { WidgetContext } from "../widgetShared";
import type { Json } from "../../api/types";

/** Places, best first: each place is a group of item indices (one item unless tied). */
type Places = number[][];

export function placesOf(value: Json | undefined): Places | null {
  if (!isObject(value) || !Array.isArray(value.order) || value.order.length === 0) return null;
  return value.order.map((entry) => (Array.isArray(entry) ? entry.filter((i): i is number => typeof i === "number") : typeof entry === "number" ? [entry] : []));
}

/** The answer: a plain list when nothing is tied, else groups (`ties: true` only). */
export function orderAnswer(places: Places): Json {
  const tied = places.some((group) => group.length > 1);
  return { order: tied ? places : places.map((group) => group[0] as number) };
}

/**
 * `{"order": [...]}`, best first. Drag items, or with the keyboard: ↑/↓ choose an item,
 * Shift+↑/↓ move it, a number key sends it to that place, Enter accepts the order shown,
 * and with ties `=` puts it level with the one above.
 */
export function RankingQuestion({ question, value, onChange, data, active }: QuestionProps<RankingSpec>) {
  const items = itemsOf(question, data);
  const given = placesOf(value);
  const places: Places = given ?? items.map((_, i) => [i]);
  const ranked = given !== null;
  const flat = places.flat();
  const [focus, setFocus] = useState(0);
  const [dragging, setDragging] = useState<number | null>(null);
  // Read only (a reviewed annotation): nothing to drag (keys and drops are refused by the store).
  const readOnly = useContext(WidgetContext).readOnly;

  const commit = (next: Places): void => onChange(orderAnswer(next.filter((group) => group.length > 0)));

  /** Move item `item` to place `to` (0-based), on its own. */
  function moveTo(item: number, to: number): void {
    const without = places.map((group) => group.filter((i) => i !== item)).filter((group) => group.length > 0);
    const target = Math.max(0, Math.min(without.length, to));
    without.splice(target, 0, [item]);
    commit(without);
    setFocus(without.flat().indexOf(item));
  }

  function placeOf(item: number): number {
    return places.findIndex((group) => group.includes(item));
  }

  function tieWithAbove(item: number): void {
    const at = placeOf(item);
    if (at <= 0) return;
    const group = places[at] as number[];
    const next = places.map((g) => [...g]);
    if (group.length > 1) {
      // Already tied: split it out below its group.
      next[at] = group.filter((i) => i !== item);
      next.splice(at + 1, 0, [item]);
    } else {
      (next[at - 1] as number[]).push(item);
      next.splice(at, 1);
    }
    commit(next);
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (isTypingTarget(event.target) || event.ctrlKey || event.metaKey || event.altKey || flat.length === 0) return;
    const item = flat[Math.min(focus, flat.length - 1)] as number;
    const place = placeOf(item);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const delta = event.key === "ArrowDown" ? 1 : -1;
      if (event.shiftKey) moveTo(item, place + delta);
      else setFocus(Math.max(0, Math.min(flat.length - 1, focus + delta)));
    } else if (event.key === "Enter" && !ranked) {
      commit(places);
    } else if (event.key === "=" && question.ties) {
      tieWithAbove(item);
    } else if ((event.key === "Backspace" || event.key === "Delete") && ranked) {
      onChange(undefined);
    } else {
      const digit = digitOf(event);
      if (digit === null || digit > flat.length) return;
      moveTo(item, digit - 1);
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function onDrop(event: DragEvent, to: number): void {
    event.preventDefault();
    if (dragging !== null) moveTo(dragging, to);
    setDragging(null);
  }

  return (
    <div className="ranking" onKeyDown={onKeyDown} tabIndex={-1} data-keys="">
      {!ranked ? <p className="muted small">Not ranked yet: arrange the items, or press Enter to keep this order.</p> : null}
      <ol className="ranking-list">
        {places.map((group, place) => (
          <li key={place} className={group.length > 1 ? "ranking-place ranking-tied" : "ranking-place"} onDragOver={(e) => e.preventDefault()} onDrop={(e) => onDrop(e, place)}>
            <span className="ranking-number" aria-hidden="true">
              {place + 1}
            </span>
            <div className="ranking-group">
              {group.map((item) => {
                const focused = active && flat[focus] === item;
                return (
                  <div
                    key={item}
                    className={`ranking-item${focused ? " ranking-item-focus" : ""}${dragging === item ? " ranking-item-drag" : ""}`}
                    draggable={!readOnly}
                    onDragStart={() => setDragging(item)}
                    onDragEnd={() => setDragging(null)}
                    onClick={() => setFocus(flat.indexOf(item))}
                    aria-label={`Place ${place + 1}: ${items[item] ?? ""}`}
                  >
                    <span className="ranking-grip" aria-hidden="true">
                      ⠿
                    </span>
                    <span className="ranking-text">{items[item] ?? `item ${item}`}</span>
                  </div>
                );
              })}
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}

function itemsOf(question: RankingSpec, data: QuestionProps["data"]): string[] {
  if (question.options) return question.options.map(optionText);
  const list = question.target ? data[question.target] : null;
  return Array.isArray(list) ? list.map((item, i) => (typeof item === "string" ? item : `item ${i}`)) : [];
}
