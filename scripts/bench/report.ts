// What each figure hands back and how the whole run is printed: plain values in, text out, so the layout is
// unit-tested and the JSON file holds exactly what the table shows.

export type Verdict = "PASS" | "MISS";

export interface Check {
  /** What is required, e.g. "median <= 30 s". */
  target: string;
  /** What was measured, in the target's unit. */
  measured: string;
  verdict: Verdict;
}

export interface Table {
  title?: string;
  headers: string[];
  rows: (string | number)[][];
}

export interface FigureResult {
  figure: number;
  title: string;
  /** Where the numbers come from: "emulator", "mocks", "simulation", "child process", or a combination. */
  method: string;
  checks: Check[];
  tables: Table[];
  notes: string[];
  /** Machine-readable numbers for bench.json (the tables are derived from these). */
  data: unknown;
  seconds: number;
}

export function check(target: string, measured: string, ok: boolean): Check {
  return { target, measured, verdict: ok ? "PASS" : "MISS" };
}

const cell = (value: string | number): string =>
  typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value;

/** A text table: numbers right-aligned, text left-aligned, one space of padding, header underlined. */
export function formatTable(table: Table): string {
  const text = table.rows.map((row) => row.map(cell));
  const widths = table.headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? "").length)));
  const numeric = table.headers.map(
    (_, i) => table.rows.length > 0 && table.rows.every((r) => typeof r[i] === "number"),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(" | ")
      .trimEnd();
  const out = [line(table.headers), widths.map((w) => "-".repeat(w)).join("-|-")];
  for (const row of text) out.push(line(row));
  return [...(table.title ? [table.title] : []), ...out].join("\n");
}

export function formatFigure(result: FigureResult): string {
  const verdict = result.checks.every((c) => c.verdict === "PASS") ? "PASS" : "MISS";
  const parts = [
    `== Figure ${result.figure}: ${result.title} [${verdict}] (${result.method}, ${result.seconds.toFixed(1)} s)`,
    ...result.checks.map((c) => `  ${c.verdict}  target ${c.target}: measured ${c.measured}`),
    ...result.tables.map((t) => formatTable(t)),
    ...result.notes.map((n) => `  note: ${n}`),
  ];
  return parts.join("\n");
}

/** The closing summary: one line per check of every figure. */
export function summaryTable(results: readonly FigureResult[]): Table {
  return {
    title: "Summary",
    headers: ["figure", "target", "measured", "verdict"],
    rows: results.flatMap((r) => r.checks.map((c) => [`${r.figure}. ${r.title}`, c.target, c.measured, c.verdict])),
  };
}
