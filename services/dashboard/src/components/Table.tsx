import type { ReactNode } from 'react';

/** A column heading; `{ hidden }` names a column of controls for screen readers only. */
export type Column = string | { hidden: string };

/**
 * A table as every page draws it: column headings in a header row, `children` the body rows, and
 * a wrapper that scrolls sideways on a narrow screen instead of widening the page.
 */
export function Table({
  label,
  columns,
  children,
}: {
  /** The table's accessible name, where the heading above it does not say what it lists. */
  label?: string;
  columns: readonly Column[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) =>
              typeof column === 'string' ? (
                <th key={column} scope="col">
                  {column}
                </th>
              ) : (
                <th key={column.hidden} scope="col">
                  <span className="sr-only">{column.hidden}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
