// The demo's text layout: tables fit the report width, tags fold under their row, --wide keeps everything,
// and each retention row carries the rule behind its decision.
import { strict as assert } from "node:assert";
import { explainRetention, RETENTION_PRESETS } from "../../../functions/decisions/retentionPolicy";
import { parseDemoArgs } from "../../../scripts/demo/args";
import { foldTags, retentionTable } from "../../../scripts/demo/inventory";
import { guardRules, retentionRows } from "../../../scripts/demo/retentionRows";
import { fitWidths, REPORT_WIDTH, renderTable, type Table, wrapLine } from "../../../scripts/demo/table";

const ARN = "arn:aws:rds:eu-west-1:111111111111:snapshot:orders-before-release";
const WIDE: Table = {
  title: "Destination account 222222222222/eu-central-1: snapshots",
  columns: ["Snapshot", "Type", "Status", "Encrypted with", "Tags"],
  rows: [
    [
      "orders-before-release-72c14574-3a3e4b8a",
      "manual",
      "available",
      "producer transit key (eu-central-1)",
      [
        "Draco_Lifecycle=Standard",
        "managed-by=rds-replication",
        "rds-replication:role=copy",
        `rds-replication:source-snapshot=${ARN}`,
        "rds-replication:source-database=orders",
        "rds-replication:source-created=2026-11-30T02:53:01.000Z",
      ].join("\n"),
    ],
    ["rds:orders-dev-20261130-025301-2026-11-30-02-53", "automated", "available", "consumer key (never shared)", ""],
  ],
};
const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));

describe("demo layout", () => {
  it("wraps a long line between words, else after a separator, marking continuations", () => {
    assert.deepEqual(wrapLine("daily: a newer one is kept for day 2026-11-30", 20), [
      "daily: a newer one ",
      " is kept for day ",
      " 2026-11-30",
    ]);
    assert.deepEqual(wrapLine(ARN, 30), [
      "arn:aws:rds:eu-west-1:",
      " 111111111111:snapshot:orders-",
      " before-release",
    ]);
    assert.deepEqual(wrapLine("short", 30), ["short"]);
    for (const piece of wrapLine("x".repeat(95), 10)) assert.ok(piece.length <= 10);
  });

  it("narrows the widest column other than the first until the table fits", () => {
    assert.deepEqual(fitWidths([10, 50, 40], [4, 4, 4], 80), [10, 32, 32]);
    assert.deepEqual(fitWidths([10, 20], [4, 4], 80), [10, 20], "natural widths when they fit");
    assert.deepEqual(fitWidths([60, 12, 12], [4, 4, 4], 50), [20, 12, 12], "then the first column");
  });

  it("renders every line within the report width by default, and unwrapped with --wide", () => {
    const narrow = renderTable(foldTags(WIDE), REPORT_WIDTH);
    assert.ok(longest(narrow) <= REPORT_WIDTH, narrow);
    const wide = renderTable(WIDE);
    assert.ok(longest(wide) > REPORT_WIDTH);
    assert.ok(wide.includes(`rds-replication:source-snapshot=${ARN}`), "--wide prints every tag whole");
  });

  it("folds tags under their row: the user's and the telling tool tags shown, the rest counted", () => {
    const folded = foldTags(WIDE);
    assert.deepEqual(folded.columns, ["Snapshot", "Type", "Status", "Encrypted with"]);
    assert.equal(
      folded.details?.[0],
      "tags: Draco_Lifecycle=Standard, rds-replication:role=copy, rds-replication:source-database=orders, +3 more (--wide)",
    );
    assert.equal(folded.details?.[1], undefined, "no tags, no line");
    const lines = renderTable(folded, REPORT_WIDTH).split("\n");
    const row = lines.findIndex((l) => l.startsWith("  orders-before-release-72c14574-3a3e4b8a"));
    assert.match(lines[row + 1] ?? "", /^ {6}tags: Draco_Lifecycle=Standard/);
    assert.match(lines[row + 2] ?? "", /^ {7}\(--wide\)$/, "a wrapped detail line continues indented");
    assert.match(lines[row + 3] ?? "", /^ {2}rds:orders-dev-/);
  });

  it("names the rule behind each retention row, and the guard's when it spared a copy", () => {
    const copies = [
      { id: "new", createdAt: new Date("2026-11-30T02:00:00Z"), managed: true },
      { id: "old", createdAt: new Date("2026-11-30T01:00:00Z"), managed: true },
      { id: "held", createdAt: new Date("2026-11-30T00:00:00Z"), managed: true },
    ];
    const explained = explainRetention(copies, RETENTION_PRESETS.Standard, new Date("2026-11-30T03:00:00Z"));
    const result = {
      policy: "Draco_Lifecycle=Standard",
      keep: ["new", "held"],
      delete: ["old"],
      deleted: [],
      skipped: [{ id: "held", reason: "held by tag rds-replication:hold" }],
      dryRun: true,
    };
    const rows = retentionRows(result, explained);
    assert.deepEqual(
      rows.map((r) => [r.id, r.decision, r.keptBy.join(",")]),
      [
        ["new", "keep", "newest,daily,weekly,monthly,yearly"],
        ["held", "keep", "held"],
        ["old", "would delete", ""],
      ],
    );
    assert.equal(rows[2]?.why.at(-1), "dry run: deletionsEnabled is false");
    assert.match(
      rows[1]?.why.join("\n") ?? "",
      /daily: a newer one is kept for day 2026-11-30\n(.*\n)*spared: held by/,
    );
    const table = renderTable(retentionTable("Retention", result, rows), REPORT_WIDTH);
    assert.match(table, /^Retention \(policy Draco_Lifecycle=Standard, dry run\)$/m);
    assert.match(table, /^ {2}new\s+2026-11-30 02:00\s+keep\s+kept by newest, daily, weekly, monthly, yearly$/m);
    assert.match(table, /^ {2}old\s+2026-11-30 01:00\s+would delete\s+daily: a newer one is kept for day 2026-11-30$/m);
    assert.deepEqual(guardRules('status is "copying", not "available"; protected (in use)'), [
      "not available",
      "protected",
    ]);
  });

  it("parses --wide and --report, refusing anything else with the usage", () => {
    assert.deepEqual(parseDemoArgs([]), { wide: false });
    assert.deepEqual(parseDemoArgs(["--wide", "--report", "r.html"]), { wide: true, reportPath: "r.html" });
    assert.deepEqual(parseDemoArgs(["--report=x/y.html"]), { wide: false, reportPath: "x/y.html" });
    assert.throws(() => parseDemoArgs(["--report"]), /--report needs a file path\nusage: npm run demo/);
    assert.throws(() => parseDemoArgs(["--wdie"]), /unknown argument "--wdie"/);
  });
});
