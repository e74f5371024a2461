// The demo's main function end to end on the test emulator: what it prints is what exists in each account,
// and a failing step makes it return non-zero with the step and the reason.
import { strict as assert } from "node:assert";
import { runDemo } from "../../scripts/demo/main";
import { emulatorEndpoint } from "../../scripts/emulator/lifecycle";
import { DEST, SOURCE } from "../../scripts/local/accounts";

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

describe("demo (npm run demo)", () => {
  it("replicates a tagged production database to another account and region and reports what exists where", async () => {
    const out = new Captured();
    const code = await runDemo({ out });
    assert.equal(code, 0, out.text);
    const text = out.text;

    // Progress: one line per step, every one ok, with its elapsed time.
    const progress = text.split("\n").filter((l) => /^\s+(ok|FAIL)\s+\[\d\/7\]/.test(l));
    assert.equal(progress.length, 7, text);
    for (const line of progress) assert.match(line, /^\s+ok\s+\[\d\/7\] .+ \(\d+\.\d\d s\)$/);

    const src = `Source account ${SOURCE.account}/${SOURCE.region}`;
    const hop = `Source account ${SOURCE.account}/${DEST.region}`;
    const dst = `Destination account ${DEST.account}/${DEST.region}`;

    const sourceSnapshots = section(text, `${src}: snapshots`).join("\n");
    assert.match(sourceSnapshots, /orders-before-release\s+manual\s+available/);
    assert.match(sourceSnapshots, /Draco_Lifecycle=Standard/);
    assert.match(sourceSnapshots, /orders-\d{8}-\d{6}\s+manual\s+available.*\n(.*\n)*.*rds-replication:role=source/);

    const transits = section(text, `${hop}: snapshots (transit copies)`);
    const transitIds = firstColumn(transits);
    assert.equal(transitIds.length, 2, transits.join("\n"));
    for (const id of transitIds) assert.match(id, /^rr-orders-/);
    assert.equal(transits.filter((l) => l.includes("producer transit key (eu-central-1)")).length, 2);

    const destSnapshots = section(text, `${dst}: snapshots`);
    const copies = destSnapshots.filter((l) => /^\s{2}orders-.*\s+manual\s+available\s+consumer key/.test(l));
    assert.equal(copies.length, 2, destSnapshots.join("\n"));
    const shared = destSnapshots.filter((l) => l.includes("shared with us"));
    assert.equal(shared.length, 2, "the two transit copies are offered to the destination account");
    for (const l of shared) assert.match(l, /producer transit key \(eu-central-1\)/);
    assert.match(destSnapshots.join("\n"), /rds-replication:source-database=orders/);

    // Keys: the producer's per region, the consumer's own.
    assert.match(section(text, `${src}: KMS keys`).join("\n"), /producer transit key \(eu-west-1\)\s+Enabled/);
    assert.match(section(text, `${hop}: KMS keys`).join("\n"), /producer transit key \(eu-central-1\)\s+Enabled/);
    assert.match(section(text, `${dst}: KMS keys`).join("\n"), /consumer key \(never shared\)\s+Enabled/);

    // Two restored instances; the secret points at the newer one.
    const restored = firstColumn(section(text, `${dst}: DB instances`)).filter((id) => id.startsWith("orders-dev-"));
    assert.equal(restored.length, 2);
    const newest = [...restored].sort().at(-1)!;
    const secret = section(text, `${dst}: restore secret`).join("\n");
    assert.match(secret, new RegExp(`dbInstanceIdentifier\\s+${newest}`));
    assert.match(secret, new RegExp(`host\\s+${newest}\\.`));
    assert.doesNotMatch(secret, /password/);

    // Retention: the lifecycle tag picks Standard; the older copy would go, deletions being off.
    const retention = section(
      text,
      `${dst}: retention plan for the copies of orders (policy Draco_Lifecycle=Standard, dry run)`,
    );
    assert.match(retention.join("\n"), /orders-before-release-\S+\s+would delete\s+dry run/);
    assert.match(retention.join("\n"), /orders-\d{8}-\d{6}-\S+\s+keep/);

    const timings = section(text, "Timings");
    assert.match(timings.at(-1) ?? "", /Total \(wall time\)\s+\d+\.\d\d/);
    assert.match(text, /Demo finished: every step succeeded\./);
    // The emulator it did not start (the test suite's) is left running.
    assert.ok((await fetch(`${emulatorEndpoint()}/moto-api/reset`, { method: "POST" })).ok);
  });

  it("stops at a failing step: non-zero result naming the step and the reason, later steps not run", async () => {
    const out = new Captured();
    const code = await runDemo({
      out,
      prepare: (world) => world.proxy.fail("RestoreDBInstanceFromDBSnapshot", "KMSKeyNotAccessibleFault", 1),
    });
    assert.equal(code, 1);
    assert.match(out.text, /FAIL\s+\[5\/7\] Consumer: copy under its own key/);
    assert.doesNotMatch(out.text, /\[6\/7\]/);
    assert.match(
      out.text,
      /Demo failed at step "Consumer: copy under its own key, restore, switch the secret, retention":\nthe consumer run ended FAILED: KmsKeyNotAccessible: .*KMSKeyNotAccessible/,
    );
    assert.match(section(out.text, "Timings").join("\n"), /Consumer: copy under its own key.*failed/);
    assert.doesNotMatch(out.text, /Demo finished/);
  });
});
