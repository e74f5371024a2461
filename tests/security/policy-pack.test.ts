// The policy pack as `pulumi preview --policy-pack policy` runs it: policy/index.ts constructs the PolicyPack in
// its own process (versioned by policy/package.json), @pulumi/policy serves it over the analyzer gRPC
// protocol, and this test plays the engine: it asks for the pack's policies, then sends every resource both
// example stacks emit (recorded under mocks) through `analyze`, as the engine does before any deployment.
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { rules, TYPES } from "../../policy/checks";
import { exampleStacks } from "./emitted";

// The engine's side of the protocol, from the SDK's generated code.
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const POLICY_DIR = path.join(__dirname, "../../policy");

interface Diagnostic {
  policy: string;
  message: string;
  enforcementLevel: number;
}
type Call = (request: unknown, callback: (error: Error | null, response: never) => void) => void;

/** Starts the pack as the CLI does (working directory = the pack) and resolves with the port it prints. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
    cwd: POLICY_DIR,
    env: { ...process.env, TS_NODE_PROJECT: path.join(POLICY_DIR, "../tsconfig.json") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let errors = "";
    child.stderr?.on("data", (chunk) => {
      errors += chunk;
    });
    child.stdout?.once("data", (chunk) => resolve({ child, port: Number(String(chunk).trim()) }));
    child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${errors}`)));
  });
}

describe("the policy pack, served by @pulumi/policy and called as the engine calls it", function () {
  this.timeout(300_000);
  let pack: ChildProcess;
  let client: Record<string, Call> & { close(): void };
  const call = <T>(method: string, request: unknown) =>
    new Promise<T>((resolve, reject) =>
      client[method].call(client, request, (error, response) => (error ? reject(error) : resolve(response))),
    );

  async function analyze(type: string, name: string, inputs: Record<string, unknown>): Promise<Diagnostic[]> {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType(type);
    request.setName(name);
    request.setUrn(`urn:pulumi:test::rds-replication::${type}::${name}`);
    request.setProperties(Struct.fromJavaScript(await serializeProperties("policy-test", inputs)));
    request.setOptions(new analyzerProto.AnalyzerResourceOptions());
    const response = await call<{ getDiagnosticsList(): Record<string, () => string & number>[] }>("analyze", request);
    return response.getDiagnosticsList().map((d) => ({
      policy: d.getPolicyname(),
      message: d.getMessage(),
      enforcementLevel: d.getEnforcementlevel(),
    }));
  }

  before(async () => {
    const started = await startPack();
    pack = started.child;
    client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    pack?.kill();
  });

  it("is named and versioned by policy/package.json and serves every rule as a mandatory policy", async () => {
    const info = await call<{
      getName(): string;
      getVersion(): string;
      getPoliciesList(): { getName(): string; getEnforcementlevel(): number }[];
    }>("getAnalyzerInfo", new Empty());
    const manifest = JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    assert.equal(info.getName(), "rds-replication");
    assert.equal(info.getVersion(), manifest.version);
    const served = info.getPoliciesList();
    assert.deepEqual(served.map((p) => p.getName()).sort(), rules.map((r) => r.name).sort());
    for (const policy of served) assert.equal(policy.getEnforcementlevel(), analyzerProto.EnforcementLevel.MANDATORY);
  });

  it("no resource of either example stack violates a policy", async () => {
    const stacks = await exampleStacks();
    const found: string[] = [];
    let analyzed = 0;
    for (const side of ["source", "dest"] as const)
      for (const resource of stacks[side].resources) {
        for (const d of await analyze(resource.type, resource.name, resource.inputs))
          found.push(`${side} ${resource.type} ${resource.name}: [${d.policy}] ${d.message}`);
        analyzed++;
      }
    assert.deepEqual(found, []);
    assert.ok(analyzed > 100, `${analyzed} resources analyzed`);
  });

  it("a resource that breaks a rule is reported through the pack, naming the policy", async () => {
    const publicKey = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }],
    });
    const diagnostics = await analyze(TYPES.kmsKey, "public-key", { policy: publicKey, enableKeyRotation: true });
    assert.ok(
      diagnostics.some((d) => d.policy === "resource-policy-not-public"),
      JSON.stringify(diagnostics),
    );
    for (const d of diagnostics) assert.equal(d.enforcementLevel, analyzerProto.EnforcementLevel.MANDATORY);
  });
});
