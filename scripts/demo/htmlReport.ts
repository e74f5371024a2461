// The demo's HTML report: one self-contained file (inline CSS and JS, no external URL, so it opens offline
// and from a CI artifact) with a timeline of the steps, a calendar of the copies by the retention rule that
// kept them, and the inventory tables. The data travel as JSON; the page's script draws them, so a browser
// test checks what a reader sees. Pure: data in, text out.
import type { Timing } from "./progress";
import type { RetentionRow } from "./retentionRows";
import type { Table } from "./table";

export interface ReportData {
  title: string;
  /** ISO 8601. */
  generatedAt: string;
  /** Undefined when every step succeeded. */
  failure?: { title: string; message: string };
  steps: Timing[];
  totalSeconds: number;
  retention?: { policy: string; dryRun: boolean; rows: RetentionRow[] };
  tables: Table[];
}

// In a <script> element only "</" and "<!--" can end or change the text; escaping every "<" covers both.
const jsonForScript = (data: unknown) => JSON.stringify(data).replace(/</g, "\\u003c");
const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: #5b6472; } .failed-banner { background: #fde8e8; border: 1px solid #e0a0a0; padding: 8px; }
pre { white-space: pre-wrap; margin: 4px 0 0; }
#timeline .row { display: grid; grid-template-columns: 420px 1fr 70px; align-items: center; gap: 8px; margin: 3px 0; }
#timeline .label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#timeline .track { position: relative; height: 16px; background: #f0f2f5; border-radius: 3px; }
#timeline .bar { position: absolute; top: 0; bottom: 0; border-radius: 3px; background: #3b82f6; min-width: 2px; }
#timeline .failed .bar { background: #dc2626; } #timeline .secs { text-align: right; font-variant-numeric: tabular-nums; }
#calendar .months { display: flex; flex-wrap: wrap; gap: 24px; }
table.month { border-collapse: collapse; } table.month caption { font-weight: 600; text-align: left; padding: 4px 0; }
table.month th { font-weight: 500; color: #5b6472; padding: 2px 6px; }
table.month td { border: 1px solid #d8dce3; width: 120px; height: 64px; vertical-align: top; padding: 3px; }
table.month td.out { background: #f7f8fa; border-color: #eceef2; } .daynum { color: #5b6472; font-size: 12px; }
.copy { display: block; margin: 2px 0; padding: 2px 4px; border-radius: 3px; background: #eef6ee; font-size: 11px; }
.copy.drop { background: #fbeaea; text-decoration: line-through; }
.rule { display: inline-block; padding: 0 4px; margin: 1px 2px 0 0; border-radius: 8px; color: #fff; font-size: 10px; }
.rule-newest { background: #7c3aed; } .rule-keepLast { background: #0891b2; } .rule-maxAgeDays { background: #0d9488; }
.rule-daily { background: #16a34a; } .rule-weekly { background: #ca8a04; } .rule-monthly { background: #ea580c; }
.rule-yearly { background: #be123c; } .rule-dropped { background: #6b7280; } .rule-other { background: #475569; }
#legend li { margin: 2px 0; }
table.inventory { border-collapse: collapse; margin-bottom: 8px; }
table.inventory th, table.inventory td { border: 1px solid #d8dce3; padding: 3px 6px; text-align: left; vertical-align: top; }
table.inventory td { white-space: pre; font: 12px ui-monospace, monospace; }
`;

// Runs in the browser: builds the three sections from the JSON above it. No library, no network.
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.append(c); });
    return node;
  }
  var RULES = ["newest", "keepLast", "maxAgeDays", "daily", "weekly", "monthly", "yearly"];
  function ruleClass(rule) { return "rule rule-" + (RULES.indexOf(rule) >= 0 ? rule : "other"); }

  var timeline = document.getElementById("timeline");
  var total = Math.max(data.totalSeconds, 0.001);
  data.steps.forEach(function (s, i) {
    var bar = el("div", { class: "bar", title: s.title });
    bar.style.left = (100 * s.startedAt / total).toFixed(2) + "%";
    bar.style.width = (100 * s.seconds / total).toFixed(2) + "%";
    timeline.append(el("div", { class: "row " + (s.ok ? "ok" : "failed"), "data-step": String(i + 1) }, [
      el("span", { class: "label", title: s.title }, [(i + 1) + ". " + s.title]),
      el("div", { class: "track" }, [bar]),
      el("span", { class: "secs" }, [s.seconds.toFixed(2) + " s"]),
    ]));
  });

  var calendar = document.getElementById("calendar");
  var rows = data.retention ? data.retention.rows.filter(function (r) { return r.createdAt; }) : [];
  if (rows.length === 0) {
    calendar.append(el("p", {}, ["No retention plan in this run."]));
  } else {
    var legend = el("ul", { id: "legend" });
    RULES.concat(["dropped"]).forEach(function (rule) {
      var copies = rows.filter(function (r) {
        return rule === "dropped" ? r.keptBy.length === 0 : r.keptBy.indexOf(rule) >= 0;
      });
      if (copies.length === 0) return;
      legend.append(el("li", { "data-rule": rule }, [el("span", { class: ruleClass(rule) }, [rule]),
        " " + copies.length + (rule === "dropped" ? " copy no rule keeps: " : " kept: ") +
        copies.map(function (r) { return r.createdAt.slice(0, 10); }).join(", ")]));
    });
    rows.forEach(function (r) {
      r.keptBy.forEach(function (rule) {
        if (RULES.indexOf(rule) < 0) legend.append(el("li", { "data-rule": rule },
          [el("span", { class: ruleClass(rule) }, [rule]), " spared by the deletion guard: " + r.id]));
      });
    });
    calendar.append(legend);
    var months = {};
    rows.forEach(function (r) { months[r.createdAt.slice(0, 7)] = true; });
    var wrap = el("div", { class: "months" });
    Object.keys(months).sort().forEach(function (ym) {
      var year = Number(ym.slice(0, 4)), month = Number(ym.slice(5, 7)) - 1;
      var first = new Date(Date.UTC(year, month, 1));
      var days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      var lead = (first.getUTCDay() + 6) % 7;
      var table = el("table", { class: "month", "data-month": ym }, [
        el("caption", {}, [first.toLocaleString("en", { month: "long", year: "numeric", timeZone: "UTC" }) + " (UTC)"]),
        el("tr", {}, ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map(function (d) { return el("th", {}, [d]); })),
      ]);
      var tr;
      for (var cell = 0; cell < Math.ceil((lead + days) / 7) * 7; cell++) {
        if (cell % 7 === 0) { tr = el("tr"); table.append(tr); }
        var day = cell - lead + 1;
        if (day < 1 || day > days) { tr.append(el("td", { class: "out" })); continue; }
        var iso = ym + "-" + String(day).padStart(2, "0");
        var td = el("td", { "data-day": iso }, [el("div", { class: "daynum" }, [String(day)])]);
        rows.filter(function (r) { return r.createdAt.slice(0, 10) === iso; }).forEach(function (r) {
          var kept = r.keptBy.length > 0;
          var badges = kept ? r.keptBy : ["dropped"];
          td.append(el("span", { class: "copy " + (kept ? "keep" : "drop"), "data-copy": r.id,
            title: r.id + " (" + r.decision + ")" + (r.why.length ? ": " + r.why.join("; ") : "") },
            [r.createdAt.slice(11, 16) + " "].concat(badges.map(function (b) {
              return el("span", { class: ruleClass(b) }, [b]);
            }))));
        });
        tr.append(td);
      }
      wrap.append(table);
    });
    calendar.append(wrap);
  }

  var tables = document.getElementById("tables");
  data.tables.forEach(function (t) {
    tables.append(el("h3", {}, [t.title]));
    tables.append(el("table", { class: "inventory" }, [
      el("tr", {}, t.columns.map(function (c) { return el("th", {}, [c]); })),
    ].concat(t.rows.map(function (row) {
      return el("tr", {}, t.columns.map(function (_, i) { return el("td", {}, [row[i] || ""]); }));
    }))));
  });
  document.body.setAttribute("data-rendered", "true");
})();
`;

export function renderHtmlReport(data: ReportData): string {
  const failure = data.failure
    ? `<div class="failed-banner" id="failure">Demo failed at step "${escapeHtml(data.failure.title)}":` +
      `<pre>${escapeHtml(data.failure.message)}</pre></div>`
    : "";
  const policy = data.retention
    ? `Policy ${escapeHtml(data.retention.policy)}${data.retention.dryRun ? ", dry run (deletions off)" : ""}.`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)}; wall time ${data.totalSeconds.toFixed(2)} s.</p>
${failure}
<h2>Timeline of the steps</h2>
<section id="timeline"></section>
<h2>Copies by the retention rule that kept them</h2>
<p class="meta">${policy} Each copy sits on the UTC day its source snapshot was taken; a struck-through copy is
one no rule keeps.</p>
<section id="calendar"></section>
<h2>What exists where</h2>
<section id="tables"></section>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
