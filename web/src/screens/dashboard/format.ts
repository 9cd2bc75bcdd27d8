/** How the dashboard writes figures, and how its tables sort (pure; tested in format.test.ts). */

export const percent = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? "—" : `${(100 * value).toFixed(digits)}%`;

export const decimal = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined ? "—" : value.toFixed(digits);

/** Active time as people read it: "45 s", "12 min", "3.5 h". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "12 s ago", "3 min ago", "2 h ago", from an ISO time. */
export function ago(iso: string | null, now: number = Date.now()): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

export type Direction = "ascending" | "descending";

export interface Sort<K extends string> {
  column: K;
  direction: Direction;
}

/** Rows sorted by `value(row, column)`; empty figures (null) always last. */
export function sorted<R, K extends string>(rows: R[], sort: Sort<K>, value: (row: R, column: K) => number | string | null): R[] {
  const sign = sort.direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a, sort.column);
    const y = value(b, sort.column);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === "number" && typeof y === "number") return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

/** Clicking a column's header again flips its direction; a new column starts with the largest first (names: A first). */
export function nextSort<K extends string>(current: Sort<K>, column: K, textual: boolean): Sort<K> {
  if (current.column === column) return { column, direction: current.direction === "ascending" ? "descending" : "ascending" };
  return { column, direction: textual ? "ascending" : "descending" };
}
