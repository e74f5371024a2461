import { strict as assert } from "node:assert";
import { parseArgs } from "../../../scripts/bench/args";
import { check, formatFigure, formatTable, summaryTable } from "../../../scripts/bench/report";
import { median, percentile, summarize } from "../../../scripts/bench/stats";

describe("bench: statistics", () => {
  it("nearest-rank percentiles are observed values", () => {
    const values = [5, 1, 4, 2, 3];
    assert.equal(median(values), 3);
    assert.equal(percentile(values, 95), 5);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile([10, 20], 50), 10);
    assert.deepEqual(summarize([3, 1, 2]), { count: 3, median: 2, p95: 3, worst: 3 });
  });

  it("refuses empty input and percentiles outside 0..100", () => {
    assert.throws(() => median([]), /no values/);
    assert.throws(() => percentile([1], 101), /0\.\.100/);
  });
});

describe("bench: report layout", () => {
  it("aligns numbers right and text left, under an underlined header", () => {
    const text = formatTable({
      headers: ["name", "n"],
      rows: [
        ["a", 1],
        ["long name", 12.5],
      ],
    });
    assert.equal(text, ["name      |     n", "----------|------", "a         |     1", "long name | 12.50"].join("\n"));
  });

  it("a figure passes only when every check passes, and the summary lists every check", () => {
    const result = {
      figure: 9,
      title: "t",
      method: "m",
      checks: [check("x < 1", "0", true), check("y < 1", "2", false)],
      tables: [],
      notes: ["why"],
      data: {},
      seconds: 1,
    };
    const text = formatFigure(result);
    assert.match(text, /Figure 9: t \[MISS\]/);
    assert.match(text, /MISS {2}target y < 1: measured 2/);
    assert.match(text, /note: why/);
    assert.deepEqual(
      summaryTable([result]).rows.map((r) => r[3]),
      ["PASS", "MISS"],
    );
  });
});

describe("bench: command line", () => {
  it("runs all ten figures by default, figure 7 last", () => {
    assert.deepEqual(parseArgs([]).figures, [1, 2, 3, 4, 5, 6, 8, 9, 10, 7]);
    assert.deepEqual(parseArgs(["--only", "8,7,2"]).figures, [2, 8, 7], "figure 7 (npm test) last");
  });

  it("--skip-test-timing drops figure 7; --only selects; bad input is refused with the usage", () => {
    assert.deepEqual(parseArgs(["--skip-test-timing"]).figures, [1, 2, 3, 4, 5, 6, 8, 9, 10]);
    assert.deepEqual(parseArgs(["--only", "5,1,5"]).figures, [1, 5]);
    assert.equal(parseArgs(["--output", "x.json"]).output, "x.json");
    assert.deepEqual(parseArgs(["--only", "10,2"]).figures, [2, 10]);
    assert.throws(() => parseArgs(["--only", "11"]), /figure numbers 1-10/);
    assert.throws(() => parseArgs(["--fast"]), /unknown option --fast\nusage/);
  });
});
