// The demo's HTML report as a browser shows it: rendered by headless Chromium (Debian's package), the DOM after
// the page's own script ran must hold the timeline of the steps and the calendar of the copies by rule.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type ReportData, renderHtmlReport } from "../../../scripts/demo/htmlReport";
import { dumpDom } from "../../support/chromium";

const DATA: ReportData = {
  title: "rds-replication demo",
  generatedAt: "2026-11-30T03:00:00.000Z",
  failure: { title: "Consumer", message: "the consumer run ended FAILED: <KmsKeyNotAccessible>" },
  steps: [
    { title: "Start the AWS emulator", startedAt: 0, seconds: 2, ok: true },
    { title: "Wire both accounts", startedAt: 2, seconds: 6, ok: true },
    { title: "Consumer", startedAt: 8, seconds: 2, ok: false },
  ],
  totalSeconds: 10,
  retention: {
    policy: "Draco_Lifecycle=Standard",
    dryRun: true,
    rows: [
      {
        id: "copy-nov-30",
        createdAt: "2026-11-30T02:00:00.000Z",
        decision: "keep",
        keptBy: ["newest", "daily"],
        why: [],
      },
      {
        id: "copy-nov-30-early",
        createdAt: "2026-11-30T01:00:00.000Z",
        decision: "would delete",
        keptBy: [],
        why: ["daily: a newer one is kept for day 2026-11-30"],
      },
      { id: "copy-oct-31", createdAt: "2026-10-31T23:00:00.000Z", decision: "keep", keptBy: ["monthly"], why: [] },
      {
        id: "copy-oct-02",
        createdAt: "2026-10-02T05:00:00.000Z",
        decision: "keep",
        keptBy: ["held"],
        why: ["spared: held by tag rds-replication:hold"],
      },
    ],
  },
  tables: [{ title: "A table", columns: ["Name", "Tags"], rows: [["x</script><b>y", "a=1\nb=2"]] }],
};

/** The opening tags of elements carrying `attribute` (generated markup, so a pattern is enough). */
const openings = (dom: string, attribute: string) => [
  ...dom.matchAll(new RegExp(`<[a-z]+ [^>]*${attribute}[^>]*>`, "g")),
];
/** The inner HTML of the element whose opening tag contains `marker`, up to its matching closing tag. */
function inner(dom: string, tag: string, marker: string): string {
  const start = dom.indexOf(marker);
  assert.ok(start >= 0, `no ${marker} in the rendered DOM`);
  let depth = 0;
  const re = new RegExp(`<(/?)${tag}[\\s>]`, "g");
  re.lastIndex = dom.lastIndexOf(`<${tag}`, start);
  for (let m = re.exec(dom); m; m = re.exec(dom)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) return dom.slice(dom.indexOf(">", start) + 1, m.index);
  }
  throw new Error(`unclosed <${tag}> at ${marker}`);
}
const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("demo HTML report (headless Chromium)", () => {
  let dom: string;
  let html: string;

  before(async function () {
    this.timeout(90_000);
    html = renderHtmlReport(DATA);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-report-"));
    const file = path.join(dir, "report.html");
    fs.writeFileSync(file, html);
    dom = await dumpDom(file);
  });

  it("is one self-contained file: inline style and script, no URL to fetch", () => {
    assert.doesNotMatch(html, /https?:\/\/|\bsrc=|<link\b|@import/);
    assert.match(html, /<style>[\s\S]+<\/style>/);
    assert.match(html, /<script>[\s\S]+<\/script>/);
  });

  it("runs its script: the body is marked rendered and text from the data stays text", () => {
    assert.match(dom, /<body data-rendered="true">/);
    assert.doesNotMatch(dom, /<b>y/, "markup inside data must not become elements");
    assert.match(dom, /x&lt;\/script&gt;&lt;b&gt;y/);
    assert.match(text(inner(dom, "div", 'id="failure"')), /KmsKeyNotAccessible/);
  });

  it("draws the timeline: one row per step, placed by its start and sized by its duration", () => {
    const rows = openings(dom, 'data-step="').map((m) => m[0]);
    assert.deepEqual(
      rows.map((r) => r.match(/class="row (\w+)"/)?.[1]),
      ["ok", "ok", "failed"],
    );
    const bars = [...inner(dom, "section", 'id="timeline"').matchAll(/style="left: ([\d.]+)%; width: ([\d.]+)%;"/g)];
    assert.deepEqual(
      bars.map((b) => [Number(b[1]), Number(b[2])]),
      [
        [0, 20],
        [20, 60],
        [80, 20],
      ],
    );
    assert.match(text(inner(dom, "div", 'data-step="2"')), /^2\. Wire both accounts6\.00 s$/);
  });

  it("draws a calendar per month with each copy on its UTC day, badged by the rules that kept it", () => {
    assert.deepEqual(
      openings(dom, 'data-month="').map((m) => m[0].match(/data-month="([\d-]+)"/)?.[1]),
      ["2026-10", "2026-11"],
    );
    assert.equal(openings(inner(dom, "table", 'data-month="2026-10"'), 'data-day="').length, 31);
    assert.equal(openings(inner(dom, "table", 'data-month="2026-11"'), 'data-day="').length, 30);
    // 2026-11-01 is a Sunday: the first week row has six empty cells before it.
    assert.match(inner(dom, "table", 'data-month="2026-11"'), /(<td class="out"><\/td>){6}<td data-day="2026-11-01">/);

    const day30 = inner(dom, "td", 'data-day="2026-11-30"');
    const copies = [...day30.matchAll(/<span class="copy (keep|drop)" data-copy="([^"]+)"/g)].map((m) => [m[2], m[1]]);
    assert.deepEqual(copies, [
      ["copy-nov-30", "keep"],
      ["copy-nov-30-early", "drop"],
    ]);
    assert.deepEqual(
      [...inner(dom, "span", 'data-copy="copy-nov-30"').matchAll(/class="rule rule-(\w+)">(\w+)</g)].map((m) => m[2]),
      ["newest", "daily"],
    );
    assert.match(inner(dom, "span", 'data-copy="copy-nov-30-early"'), /rule-other">dropped</);
    assert.match(day30, /title="copy-nov-30-early \(would delete\): daily: a newer one is kept for day 2026-11-30"/);
    assert.match(inner(dom, "td", 'data-day="2026-10-31"'), /data-copy="copy-oct-31".*>monthly</);
    assert.match(inner(dom, "td", 'data-day="2026-10-02"'), /data-copy="copy-oct-02".*>held</);
    assert.doesNotMatch(inner(dom, "td", 'data-day="2026-10-30"'), /data-copy/);

    const legend = (rule: string) => text(inner(dom, "li", `data-rule="${rule}"`));
    assert.equal(legend("monthly"), "monthly 1 kept: 2026-10-31");
    assert.equal(legend("dropped"), "dropped 1 copy no rule keeps: 2026-11-30");
    assert.equal(legend("held"), "held spared by the deletion guard: copy-oct-02");
    assert.equal(openings(dom, 'data-rule="weekly"').length, 0, "a rule that kept nothing is not listed");
  });

  it("lays out the inventory tables with multi-line cells", () => {
    const tables = inner(dom, "section", 'id="tables"');
    assert.match(tables, /<h3>A table<\/h3>/);
    assert.match(tables, /<td>a=1\nb=2<\/td>/);
  });
});
