// `npm run demo` on a machine where setup fails: it must end, non-zero, with the reason, and leave no helper
// server (emulator, SNS inbox, fault proxy) running that would keep the process alive. Run as a child process,
// because only a real exit shows that nothing was left open.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { emulatorEndpoint } from "../../testkit";

const ROOT = path.resolve(__dirname, "..", "..");
// Starting ts-node and the demo takes a few seconds on a loaded 2-core machine; a hang takes forever.
const EXIT_BOUND_MS = 60_000;

interface Ended {
  code: number | null;
  output: string;
  ms: number;
}

function demo(env: Record<string, string>): Promise<Ended> {
  const started = Date.now();
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "demo-fail-")), "report.html");
  const child = spawn(
    process.execPath,
    [require.resolve("ts-node/dist/bin.js"), "--transpile-only", "scripts/demo.ts", "--report", report],
    {
      cwd: ROOT,
      env: { ...process.env, RDS_REPLICATION_EMULATOR_ENDPOINT: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    output += c.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), EXIT_BOUND_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/** The test emulator behind a forwarder that answers SNS Subscribe with an error: setup fails mid-way. */
async function emulatorFailingSubscribe(): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(emulatorEndpoint());
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (/Action=Subscribe\b/.test(body.toString())) {
        res.writeHead(400, { "content-type": "text/xml" });
        res.end(
          "<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>" +
            "<Message>injected: subscribe refused</Message></Error></ErrorResponse>",
        );
        return;
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("demo setup failures (never hangs)", function () {
  this.timeout(EXIT_BOUND_MS + 30_000);

  it("exits 1 with the installer's message when no emulator can be installed (no python3)", async () => {
    const ended = await demo({ RDS_REPLICATION_PYTHON: "/nonexistent/python3" });
    assert.equal(ended.code, 1, ended.output);
    assert.ok(ended.ms < EXIT_BOUND_MS);
    assert.match(ended.output, /FAIL\s+\[1\/\d+\] Start the AWS emulator/);
    assert.match(ended.output, /Demo failed at step "Start the AWS emulator[^"]*":\ncannot install the AWS emulator/);
    assert.match(ended.output, /1\. Debian packages .*: missing python3 at \/nonexistent\/python3/);
    assert.match(ended.output, /2\. A Python virtual environment .*: missing python3 at \/nonexistent\/python3/);
    assert.match(ended.output, /set RDS_REPLICATION_EMULATOR_ENDPOINT=http:\/\/127\.0\.0\.1:5000/);
  });

  it("exits 1 when the given emulator endpoint does not answer", async () => {
    const ended = await demo({ RDS_REPLICATION_EMULATOR_ENDPOINT: "http://127.0.0.1:9" });
    assert.equal(ended.code, 1, ended.output);
    assert.match(ended.output, /RDS_REPLICATION_EMULATOR_ENDPOINT=http:\/\/127\.0\.0\.1:9 does not answer/);
  });

  it("exits 1 when wiring the accounts fails after the SNS inbox and the fault proxy started", async () => {
    const emulator = await emulatorFailingSubscribe();
    try {
      const ended = await demo({ RDS_REPLICATION_EMULATOR_ENDPOINT: emulator.url });
      assert.equal(ended.code, 1, `exit ${ended.code} after ${ended.ms} ms (killed if null):\n${ended.output}`);
      assert.match(ended.output, /FAIL\s+\[2\/\d+\] Wire source/);
      assert.match(ended.output, /Demo failed at step "Wire source[^"]*":\n.*subscribe refused/);
    } finally {
      await emulator.close();
    }
  });
});
