import { visibleWidth } from './style.js';

/** A column: its heading, and whether it is right-aligned (numbers). */
export interface Column {
  header: string;
  right?: boolean;
}

/**
 * Renders rows as a table aligned in columns, headings first (already styled text is measured without
 * its escapes). An empty table renders as `empty`.
 *
 * @example
 * renderTable([{ header: 'SERVICE' }, { header: 'INSTANCES', right: true }], [['users-svc', '2']]);
 */
export function renderTable(columns: Column[], rows: string[][], empty = '(none)'): string {
  if (rows.length === 0) return empty;
  const all = [columns.map((column) => column.header), ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => visibleWidth(row[i] ?? ''))));
  return all
    .map((row) =>
      columns
        .map((column, i) => {
          const cell = row[i] ?? '';
          const pad = ' '.repeat(widths[i]! - visibleWidth(cell));
          return column.right ? pad + cell : i === columns.length - 1 ? cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
