// Plain-text tables for the demo's report: a title, a header row and cells that may span several lines
// (one tag per line reads better than a long comma list). Pure, so tests check the layout directly.

export interface Table {
  title: string;
  columns: string[];
  /** Each cell is text; a newline starts another line inside the same cell. */
  rows: string[][];
}

/** Renders the table with a ruled header; an empty table says so instead of printing an empty grid. */
export function renderTable(table: Table): string {
  const lines = [table.title];
  if (table.rows.length === 0) return [...lines, "  (none)"].join("\n");
  const split = (row: string[]) => table.columns.map((_, i) => (row[i] ?? "").split("\n"));
  const cells = table.rows.map(split);
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...cells.flatMap((row) => row[i]!.map((line) => line.length))),
  );
  const line = (parts: string[]) => `  ${parts.map((p, i) => p.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  lines.push(line(table.columns), line(widths.map((w) => "-".repeat(w))));
  for (const row of cells) {
    const height = Math.max(...row.map((c) => c.length));
    for (let n = 0; n < height; n++) lines.push(line(row.map((c) => c[n] ?? "")));
  }
  return lines.join("\n");
}
