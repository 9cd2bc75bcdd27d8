import { useState, type ReactNode } from "react";
import { nextSort, sorted, type Sort } from "./format";

export interface Column<R> {
  key: string;
  label: string;
  /** What the column sorts by (null: no figure). */
  value: (row: R) => number | string | null;
  /** How the cell reads (defaults to the value). */
  cell?: (row: R) => ReactNode;
  title?: string;
  /** Text columns sort A to Z first; figures largest first. */
  textual?: boolean;
}

interface SortableTableProps<R> {
  caption: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (row: R) => string;
  initial: Sort<string>;
  className?: string;
}

/** A table whose headers sort it: click, or Tab to a header and press Enter or Space. */
export function SortableTable<R>({ caption, columns, rows, rowKey, initial, className }: SortableTableProps<R>) {
  const [sort, setSort] = useState<Sort<string>>(initial);
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const shown = sorted(rows, sort, (row, column) => byKey.get(column)?.value(row) ?? null);
  return (
    <div className="table-scroll">
      <table className={`table metrics-table ${className ?? ""}`}>
        <caption className="visually-hidden">{caption} (select a column header to sort)</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const current = sort.column === column.key;
              return (
                <th key={column.key} scope="col" aria-sort={current ? sort.direction : "none"} title={column.title}>
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => setSort(nextSort(sort, column.key, column.textual ?? false))}
                  >
                    {column.label}
                    <span aria-hidden="true" className="sort-mark">
                      {current ? (sort.direction === "ascending" ? "▲" : "▼") : ""}
                    </span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => (
                <td key={column.key}>{column.cell ? column.cell(row) : String(column.value(row) ?? "—")}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
