// Lifecycle of the moto server the integration suites run against: one process per mocha run, on a free
// loopback port, reset between tests, stopped at the end so no process outlives the run.
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
// Plain JS so that `npm run emulator:install` needs no TypeScript toolchain.
const installer = require(path.join(ROOT, "testkit", "emulator", "install.js")) as {
  /** How to start the emulator: its Python and the PYTHONPATH it needs; undefined when it is external. */
  install(): { python: string; pythonPath: string } | undefined;
};

export const EXTERNAL_ENDPOINT_VARIABLE = "RDS_REPLICATION_EMULATOR_ENDPOINT";
const START_TIMEOUT_MS = 30_000;

let child: ChildProcess | undefined;
let endpoint: string | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

async function reachable(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/moto-api/reset`, { method: "POST" });
    return response.ok;
  } catch {
    return false;
  }
}

export function emulatorEndpoint(): string {
  if (!endpoint) throw new Error("the AWS emulator is not running: start it with startEmulator()");
  return endpoint;
}

export async function startEmulator(): Promise<string> {
  if (endpoint) return endpoint;
  const external = process.env[EXTERNAL_ENDPOINT_VARIABLE];
  if (external) {
    if (!(await reachable(external))) {
      throw new Error(`${EXTERNAL_ENDPOINT_VARIABLE}=${external} does not answer POST /moto-api/reset`);
    }
    endpoint = external;
    return endpoint;
  }
  // The installer's error already names every route it tried and the way out.
  const runtime = installer.install();
  if (!runtime) throw new Error(`the emulator installer found ${EXTERNAL_ENDPOINT_VARIABLE} set but it is not`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const proc = spawn(
    runtime.python,
    [path.join(ROOT, "testkit", "emulator", "moto_server.py"), "-H", "127.0.0.1", "-p", String(port)],
    { env: { ...process.env, PYTHONPATH: runtime.pythonPath }, stdio: ["ignore", "pipe", "pipe"] },
  );
  child = proc;
  const remember = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  proc.stdout?.on("data", remember);
  proc.stderr?.on("data", remember);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) break;
    if (await reachable(url)) {
      endpoint = url;
      return url;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopEmulator();
  throw new Error(`the AWS emulator did not start on ${url}:\n${output.join("").slice(-2000)}`);
}

export async function resetEmulator(): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/reset`, { method: "POST" });
  if (!response.ok) throw new Error(`emulator reset failed: HTTP ${response.status}`);
}

/**
 * Records the outcome of an execution run locally (aws-local-stepfunctions) on the emulator's execution, as Step
 * Functions would (the launcher's execution-outcome endpoint, testkit/emulator/moto_server.py).
 */
export async function recordExecutionOutcome(executionArn: string, status: string): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/rds-replication/execution-outcome`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ executionArn, status }),
  });
  if (!response.ok) throw new Error(`recording ${status} for ${executionArn}: HTTP ${response.status}`);
}

/**
 * Gives a snapshot in the emulator the times RDS reports for one taken at `createdAt` (SnapshotCreateTime and,
 * for instance snapshots, OriginalSnapshotCreateTime): copies "made on earlier days" (the launcher's
 * snapshot-time endpoint, testkit/emulator/moto_server.py).
 */
export async function setSnapshotTime(
  where: { account: string; region: string },
  kind: "instance" | "cluster",
  id: string,
  createdAt: Date,
): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/rds-replication/snapshot-time`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...where, kind, id, createdAt: createdAt.toISOString() }),
  });
  if (!response.ok) throw new Error(`setting the time of ${kind} snapshot ${id}: HTTP ${response.status}`);
}

/** A task token's state in the emulator (the launcher's task-token endpoint, testkit/emulator/moto_server.py). */
export interface TaskTokenOutcome {
  token: string;
  status: "PENDING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  output?: string;
  error?: string;
  cause?: string;
}

/**
 * The emulator's task tokens, for a locally executed `.waitForTaskToken` Task (testkit/stepfunctions.ts): issue
 * one, read what SendTaskSuccess/SendTaskFailure made of it, or end it when the Task's timeout passed.
 */
export async function taskToken(action: "issue" | "read" | "time-out", token?: string): Promise<TaskTokenOutcome> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/rds-replication/task-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action, token }),
  });
  if (!response.ok) throw new Error(`task token ${action}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as TaskTokenOutcome;
}

/**
 * A test knob, not an AWS rule: the emulator's manual snapshot quota per account and region (moto's 100 by
 * default, RDS's default quota) becomes `limit`, or the default again without one; every `resetEmulator`
 * restores the default (the launcher's snapshot-quota endpoint, testkit/emulator/moto_server.py, block 12).
 */
export async function setSnapshotQuota(limit?: number): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/rds-replication/snapshot-quota`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(limit === undefined ? {} : { limit }),
  });
  if (!response.ok) throw new Error(`setting the snapshot quota to ${limit ?? "the default"}: HTTP ${response.status}`);
}

export async function stopEmulator(): Promise<void> {
  const proc = child;
  child = undefined;
  endpoint = undefined;
  if (!proc || proc.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

// A crashed or interrupted run must not leave the server behind.
process.once("exit", () => child?.kill("SIGKILL"));

/**
 * Queues the records the emulator's Data API answers the next new statement with (moto's own test endpoint:
 * it runs no SQL; the launcher refuses a statement AWS would refuse before any result is used).
 */
export async function queueDataApiResult(
  where: { account: string; region: string },
  records: Record<string, unknown>[][],
): Promise<void> {
  const response = await fetch(`${emulatorEndpoint()}/moto-api/static/rds-data/statement-results`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ account_id: where.account, region: where.region, results: [{ records }] }),
  });
  if (!response.ok) throw new Error(`queueing a Data API result: HTTP ${response.status}`);
}
