// Plain-text tables for the demo's report: a title, a header row and cells that may span several lines
// (one tag per line reads better than a long comma list). Pure, so tests check the layout directly.

export interface Table {
  title: string;
  columns: string[];
  /** Each cell is text; a newline starts another line inside the same cell. */
  rows: string[][];
  /** Per row, an optional line printed under it across the whole width (e.g. the row's folded tags). */
  details?: (string | undefined)[];
}

/** The terminal width the report is laid out for unless `--wide` asks for everything unwrapped. */
export const REPORT_WIDTH = 120;
const INDENT = "  ";
const GAP = "  ";
// A column is never narrowed below this, so a wrapped cell still shows a readable piece per line.
const MIN_COLUMN = 12;
// Where a line may be broken: between words first, else inside a long value (ARN, host name, tag) after a
// separator, else anywhere.
const BREAKS = [/ /, /[-.:=/,_]/];
const DETAIL_INDENT = "      ";

function breakPoint(text: string, room: number): number {
  for (const pattern of BREAKS) {
    for (let i = room - 1; i > room / 2; i--) if (pattern.test(text[i] ?? "")) return i + 1;
  }
  return room;
}

/**
 * Splits `line` into pieces of at most `width` characters, breaking after a separator when there is one; the
 * pieces after the first start with one space, so a continuation reads as such.
 */
export function wrapLine(line: string, width: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  let room = width;
  while (rest.length > room) {
    const cut = breakPoint(rest, room);
    pieces.push(`${pieces.length > 0 ? " " : ""}${rest.slice(0, cut)}`);
    rest = rest.slice(cut);
    room = Math.max(1, width - 1);
  }
  pieces.push(`${pieces.length > 0 ? " " : ""}${rest}`);
  return pieces;
}

/**
 * Column widths that fit `maxWidth`: natural widths when they fit, otherwise the widest column is narrowed
 * first, the first column (what the row is about) only when no other can give way.
 */
export function fitWidths(natural: readonly number[], headers: readonly number[], maxWidth: number): number[] {
  const widths = [...natural];
  const total = () => INDENT.length + widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  const floor = (i: number) => Math.max(MIN_COLUMN, headers[i] ?? 0);
  const widest = (from: number) => {
    let found = -1;
    for (let i = from; i < widths.length; i++) {
      const w = widths[i] ?? 0;
      if (w > floor(i) && (found < 0 || w > (widths[found] ?? 0))) found = i;
    }
    return found;
  };
  while (total() > maxWidth) {
    const column = widest(1) >= 0 ? widest(1) : widest(0);
    if (column < 0) break; // Too many columns to fit: the floors win over the width.
    widths[column] = (widths[column] ?? 0) - 1;
  }
  return widths;
}

/**
 * Renders the table with a ruled header; an empty table says so instead of printing an empty grid. With
 * `maxWidth`, wide columns are narrowed and their lines wrapped so no line is longer.
 */
export function renderTable(table: Table, maxWidth = Number.POSITIVE_INFINITY): string {
  const lines = wrapLine(table.title, maxWidth);
  if (table.rows.length === 0) return [...lines, "  (none)"].join("\n");
  const split = (row: string[]) => table.columns.map((_, i) => (row[i] ?? "").split("\n"));
  const natural = table.rows.map(split);
  const widths = fitWidths(
    table.columns.map((column, i) =>
      Math.max(column.length, ...natural.flatMap((row) => row[i]?.map((line) => line.length) ?? [])),
    ),
    table.columns.map((c) => c.length),
    maxWidth,
  );
  const cells = natural.map((row) => row.map((cell, i) => cell.flatMap((l) => wrapLine(l, widths[i] ?? l.length))));
  const line = (parts: string[]) => `${INDENT}${parts.map((p, i) => p.padEnd(widths[i] ?? 0)).join(GAP)}`.trimEnd();
  lines.push(line(table.columns), line(widths.map((w) => "-".repeat(w))));
  for (const [r, row] of cells.entries()) {
    const height = Math.max(...row.map((c) => c.length));
    for (let n = 0; n < height; n++) lines.push(line(row.map((c) => c[n] ?? "")));
    const detail = table.details?.[r];
    if (detail)
      for (const piece of wrapLine(detail, maxWidth - DETAIL_INDENT.length)) lines.push(DETAIL_INDENT + piece);
  }
  return lines.join("\n");
}
