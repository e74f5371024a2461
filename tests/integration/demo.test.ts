// The demo's main function end to end on the test emulator: what it prints is what exists in each account,
// and a failing step makes it return non-zero with the step and the reason.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runDemo, STEPS } from "../../scripts/demo/main";
import { REPORT_WIDTH } from "../../scripts/demo/table";
import { DEST, emulatorEndpoint, SOURCE } from "../../testkit";
import { dumpDom } from "../support/chromium";

class Captured {
  text = "";
  write(chunk: string): void {
    this.text += chunk;
  }
}

/** The lines of the table titled `title` (header and rule included), up to the blank line after it. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(title));
  assert.ok(start >= 0, `no table "${title}" in:\n${text}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The first cell of each row of a table; continuation lines of multi-line cells start further right. */
const firstColumn = (lines: string[]) =>
  lines
    .slice(2)
    .filter((l) => !l.startsWith("   "))
    .map((l) => l.trim().split(/\s{2,}/)[0] ?? "");

const reportIn = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "demo-")), "report.html");

/** The timeline rows of the rendered report: [class, label] each. */
const timelineRows = (dom: string) =>
  [...dom.matchAll(/<div class="row (\w+)" data-step="\d+"><span class="label" title="([^"]*)"/g)].map((m) => [
    m[1],
    m[2],
  ]);

describe("demo (npm run demo)", () => {
  it("replicates two production databases (an instance, an Aurora cluster) to another account and region, refreshes each into its own secret and reports what exists where", async () => {
    const out = new Captured();
    const reportPath = reportIn();
    const code = await runDemo({ out, reportPath });
    assert.equal(code, 0, out.text);
    const text = out.text;
    const tooLong = text.split("\n").filter((l) => l.length > REPORT_WIDTH);
    assert.deepEqual(tooLong, [], `lines wider than ${REPORT_WIDTH} columns`);

    // Progress: one line per step, every one ok, with its elapsed time.
    const progress = text.split("\n").filter((l) => /^\s+(ok|FAIL)\s+\[\d\/8\]/.test(l));
    assert.equal(progress.length, 8, text);
    for (const line of progress) assert.match(line, /^\s+ok\s+\[\d\/8\] .+ \(\d+\.\d\d s\)$/);
    // The restore test's measured RTO, from its report on the notifications topic.
    assert.match(
      text,
      /^Restore test of orders: passed, RTO \d+\.\d\d s \(target 60 min\), test database rt-[0-9a-f]{8}-\d{8}-\d{6} deleted$/m,
    );

    const src = `Source account ${SOURCE.account}/${SOURCE.region}`;
    const hop = `Source account ${SOURCE.account}/${DEST.region}`;
    const dst = `Destination account ${DEST.account}/${DEST.region}`;

    const sourceSnapshots = section(text, `${src}: snapshots`).join("\n");
    assert.match(sourceSnapshots, /orders-before-release\s+manual\s+available/);
    assert.match(sourceSnapshots, /Draco_Lifecycle=Standard/);
    assert.match(sourceSnapshots, /orders-\d{8}-\d{6}\s+manual\s+available.*\n(.*\n)*.*rds-replication:role=source/);

    assert.match(
      section(text, `${src}: Aurora clusters`).join("\n"),
      /billing-aurora\s+available\s+aurora-postgresql(.*\n)*.*replicate=yes/,
    );
    assert.match(sourceSnapshots, /billing-aurora-\d{8}-\d{6}\s+manual \(cluster\)\s+available/);

    const transits = section(text, `${hop}: snapshots (transit copies)`);
    const transitIds = firstColumn(transits);
    assert.equal(transitIds.length, 3, transits.join("\n"));
    assert.deepEqual(
      transitIds.map((id) => /^rr-(orders|billing-aurora)-/.exec(id)?.[1]),
      ["orders", "orders", "billing-aurora"],
    );
    assert.equal(transits.filter((l) => l.includes("producer transit key (eu-central-1)")).length, 3);

    const destSnapshots = section(text, `${dst}: snapshots`);
    const copies = destSnapshots.filter((l) => /^\s{2}orders-.*\s+manual\s+available\s+consumer key/.test(l));
    assert.equal(copies.length, 2, destSnapshots.join("\n"));
    const clusterCopies = destSnapshots.filter((l) =>
      /^\s{2}billing-aurora-.*\s+manual \(cluster\)\s+available\s+consumer key/.test(l),
    );
    assert.equal(clusterCopies.length, 1, destSnapshots.join("\n"));
    const shared = destSnapshots.filter((l) => / shared (with us|\(cluster\))\s/.test(l));
    assert.equal(shared.length, 3, "the three transit copies are offered to the destination account");
    for (const l of shared) assert.match(l, /producer transit key/);
    assert.match(destSnapshots.join("\n"), /rds-replication:source-database=orders/);

    // Keys: the producer's per region, the consumer's own.
    assert.match(section(text, `${src}: KMS keys`).join("\n"), /producer transit key \(eu-west-1\)\s+Enabled/);
    assert.match(section(text, `${hop}: KMS keys`).join("\n"), /producer transit key \(eu-central-1\)\s+Enabled/);
    assert.match(section(text, `${dst}: KMS keys`).join("\n"), /consumer key \(never shared\)\s+Enabled/);

    // Each database refreshed into its own secret. orders was restored twice: the second refresh superseded the
    // first restore and cleanup removed it (snapshot deletions still off); billing-aurora once, as a cluster.
    const restored = firstColumn(section(text, `${dst}: DB instances`)).filter((id) => id.startsWith("orders-dev-"));
    assert.equal(restored.length, 1);
    const newest = restored[0]!;
    const restoredClusters = firstColumn(section(text, `${dst}: Aurora clusters`));
    assert.equal(restoredClusters.length, 1, "no rt-* cluster left: the restore test was of orders and deleted");
    const billing = restoredClusters[0]!;
    assert.match(billing, /^billing-dev-\d{8}-\d{6}$/);
    const refreshed = section(text, `${dst}: refreshed databases`).join("\n");
    assert.match(refreshed, new RegExp(`orders \\(instance\\)\\s+dev/orders -> ${newest}\\s+orders-dev-\\*\\s+1\\s+1`));
    assert.match(
      refreshed,
      new RegExp(`billing-aurora \\(cluster\\)\\s+dev/billing -> ${billing}\\s+billing-dev-\\*\\s+1\\s+1`),
    );
    const secrets = section(text, `${dst}: restore secrets`).join("\n");
    assert.match(secrets, new RegExp(`dev/orders\\s+dbInstanceIdentifier\\s+${newest}`));
    assert.match(secrets, new RegExp(`dev/orders\\s+host\\s+${newest}\\.`));
    assert.match(secrets, new RegExp(`dev/billing\\s+dbClusterIdentifier\\s+${billing}`));
    assert.match(secrets, new RegExp(`dev/billing\\s+host\\s+${billing}\\.cluster-`));
    assert.doesNotMatch(secrets, /password/);

    // Retention: the lifecycle tag adds Standard to the stack default (keepLast 3), never replaces it (issue 11).
    const retention = section(
      text,
      `${dst}: retention of the orders copies (policy Draco_Lifecycle=Standard, dry run)`,
    );
    // Each row names the rule: the newer copy is the newest and its day's; the older loses its day to it but
    // stays within the stack default's keepLast.
    const plan = retention.join("\n");
    assert.match(
      plan,
      /orders-\d{8}-\d{6}-\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+keep\s+kept by newest, keepLast, daily, weekly,/,
    );
    assert.match(plan, /orders-before-release-\S+\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+keep\s+kept by keepLast/);
    assert.doesNotMatch(plan, /would delete/);

    const timings = section(text, "Timings");
    assert.match(timings.at(-1) ?? "", /Total \(wall time\)\s+\d+\.\d\d/);
    assert.match(text, /Demo finished: every step succeeded\./);
    assert.ok(text.includes(`HTML report (timeline, retention calendar, tables): ${reportPath}`));

    // The report as a browser renders it: the seven steps on the timeline, both copies on their day.
    const dom = await dumpDom(reportPath);
    assert.deepEqual(
      timelineRows(dom),
      STEPS.map((s) => ["ok", s.title]),
    );
    const days = [...dom.matchAll(/<td data-day="([\d-]+)">((?:(?!<\/td>).)*)<\/td>/g)].filter((m) =>
      m[2]?.includes("data-copy"),
    );
    assert.equal(days.length, 1, "both copies were taken today");
    const day = days[0]?.[2] ?? "";
    const copy = (pattern: string) =>
      new RegExp(
        `<span class="copy (keep|drop)" data-copy="${pattern}"[^>]*>[^<]*((?:<span class="rule [^"]+">\\w+</span>)+)`,
      ).exec(day);
    const badges = (m: RegExpExecArray | null) => [...(m?.[2] ?? "").matchAll(/>(\w+)</g)].map((b) => b[1]);
    const kept = copy('orders-\\d{8}-\\d{6}-[^"]+');
    assert.equal(kept?.[1], "keep", day);
    assert.deepEqual(badges(kept), ["newest", "keepLast", "daily", "weekly", "monthly", "yearly"]);
    // The stack default (keepLast 3) keeps the older one: the Standard tag only adds to it.
    const older = copy('orders-before-release-[^"]+');
    assert.equal(older?.[1], "keep", day);
    assert.deepEqual(badges(older), ["keepLast"]);
    // The emulator it did not start (the test suite's) is left running.
    assert.ok((await fetch(`${emulatorEndpoint()}/moto-api/reset`, { method: "POST" })).ok);
  });

  it("stops at a failing step: non-zero result naming the step and the reason, later steps not run", async () => {
    const out = new Captured();
    const reportPath = reportIn();
    const code = await runDemo({
      out,
      reportPath,
      prepare: (world) => world.proxy.fail("RestoreDBInstanceFromDBSnapshot", "KMSKeyNotAccessibleFault", 1),
    });
    assert.equal(code, 1);
    assert.match(out.text, /FAIL\s+\[5\/8\] Consumer: copy orders under its own key/);
    assert.doesNotMatch(out.text, /\[6\/8\]/);
    assert.match(
      out.text,
      /Demo failed at step "Consumer: copy orders under its own key, restore, switch its secret, retention":\nthe consumer run ended FAILED: KmsKeyNotAccessible: .*KMSKeyNotAccessible/,
    );
    assert.match(section(out.text, "Timings").join("\n"), /Consumer: copy orders under its own key.*failed/);
    assert.doesNotMatch(out.text, /Demo finished/);
    const dom = await dumpDom(reportPath);
    assert.deepEqual(
      timelineRows(dom).map(([result]) => result),
      ["ok", "ok", "ok", "ok", "failed"],
    );
    assert.match(
      dom,
      /<div class="failed-banner" id="failure">Demo failed at step "Consumer: copy orders under its own key/,
    );
    assert.match(dom, /No retention plan in this run\./);
  });
});
