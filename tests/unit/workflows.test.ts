// The CI workflows: schema-valid (a real GitHub Actions validator), wired to deploy/pairs.yaml, least privilege,
// and the drift step's shell actually run against a stand-in `pulumi` that exits with each code of interest.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import YAML from "yaml";
import { parsePairs } from "../../scripts/deploy/pairs";

const root = path.join(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const DRIFT = read(".github/workflows/drift.yml");
const PREVIEW = read(".github/workflows/preview.yml");
const TEST = read(".github/workflows/test.yml");

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  container?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  strategy?: { "fail-fast"?: boolean; matrix?: unknown };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}
const drift = YAML.parse(DRIFT) as Workflow;
const preview = YAML.parse(PREVIEW) as Workflow;
const test = YAML.parse(TEST) as Workflow;
// A GitHub Actions expression as it appears in the YAML.
const expr = (inner: string) => `\${{ ${inner} }}`;
const pairs = parsePairs(read("deploy/pairs.yaml"), "deploy/pairs.yaml");

function matrixScript(workflow: Workflow): string {
  const step = workflow.jobs.stacks.steps.find((s) => s.id === "matrix");
  assert.ok(step?.run, "the stacks job computes the matrix in a step with id 'matrix'");
  return step.run;
}

describe("CI workflows", () => {
  it("are valid GitHub Actions workflows", () => {
    for (const [name, text] of [
      ["drift.yml", DRIFT],
      ["preview.yml", PREVIEW],
      ["test.yml", TEST],
    ]) {
      assert.deepEqual(validateWorkflow(text).errors, [], name);
    }
  });

  it("the validator rejects a broken workflow", () => {
    const broken = DRIFT.replace("id-token: write", "id-token: writ").replace("cron: ", "crontab: ");
    assert.notEqual(broken, DRIFT);
    const paths = validateWorkflow(broken).errors.map((e) => ("path" in e ? e.path : ""));
    assert.ok(paths.includes("/jobs/drift"), JSON.stringify(paths));
    assert.ok(paths.includes("/on"), JSON.stringify(paths));
    assert.equal(validateWorkflow("on: [push\njobs: {}\n").errors[0].code, "parse_error");
  });

  it("drift runs on a schedule and on demand", () => {
    assert.match((drift.on.schedule as { cron: string }[])[0].cron, /^(\S+ ){4}\S+$/);
    assert.ok("workflow_dispatch" in drift.on);
    assert.ok("pull_request" in preview.on);
  });

  it("drift's matrix is every stack of deploy/pairs.yaml, with its account's role", () => {
    assert.equal(drift.jobs.drift.strategy?.matrix, expr("fromJSON(needs.stacks.outputs.matrix)"));
    assert.equal(drift.jobs.drift.strategy?.["fail-fast"], false, "one stack's failure must not hide another's drift");
    assert.equal(drift.jobs.stacks.outputs?.matrix, expr("steps.matrix.outputs.matrix"));
    const script = matrixScript(drift);
    assert.match(script, /scripts\/deploy\/ci-matrix\.ts\)" >> "\$GITHUB_OUTPUT"$/);
    const run = spawnSync("npx", ["ts-node", "--transpile-only", "scripts/deploy/ci-matrix.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const matrix = JSON.parse(run.stdout) as { include: { stack: string; role: string; region: string }[] };
    assert.deepEqual(matrix.include.map((e) => e.stack).sort(), pairs.stacks.map((s) => s.name).sort());
    for (const entry of matrix.include) {
      const stack = pairs.stacks.find((s) => s.name === entry.stack)!;
      assert.equal(entry.role, pairs.accounts[stack.account].ciRole);
      assert.equal(entry.region, stack.region);
    }
  });

  it("the PR preview runs only for affected stacks, computed from the diff", () => {
    assert.match(matrixScript(preview), /git diff --name-only "\$BASE_SHA"\.\.\.HEAD/);
    assert.match(matrixScript(preview), /ci-matrix\.ts --changed/);
    assert.equal(preview.jobs.preview.strategy?.matrix, expr("fromJSON(needs.stacks.outputs.matrix)"));
    assert.match(preview.jobs.preview.if ?? "", /needs\.stacks\.outputs\.count != '0'/);
    const run = preview.jobs.preview.steps.find((s) => s.run?.startsWith("pulumi preview"));
    assert.match(run?.run ?? "", /--stack "\$STACK" --diff/);
    assert.match(run?.run ?? "", / --policy-pack policy$/, "the policy pack checks every previewed resource");
    assert.ok(readFileSync(path.join(root, "policy/PulumiPolicy.yaml")));
  });

  it("every pull request runs the README's setup and test commands, with no AWS access", () => {
    assert.ok("pull_request" in test.on);
    const readme = read("README.md");
    const block = /## Run it\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = block
      .split("\n")
      .map((line) => line.replace(/#.*/, "").trim())
      .filter((command) => command && command !== "npm run demo");
    assert.deepEqual(commands, ["npm run setup", "npm test"]);
    const runs = test.jobs.test.steps.filter((s) => s.run).map((s) => s.run);
    assert.deepEqual(runs, commands);
    // The emulator's installer takes Debian packages (testkit/emulator/install.js).
    assert.match(test.jobs.test.container ?? "", /^node:20-bookworm$/);
    assert.deepEqual(test.permissions, { contents: "read" });
    assert.equal(test.jobs.test.permissions, undefined);
    assert.ok(!TEST.includes("secrets.") && !TEST.includes("id-token"), "the tests need no account");
  });

  it("assume one role per account through OIDC, with the token only where AWS is reached", () => {
    for (const workflow of [drift, preview]) {
      assert.deepEqual(workflow.permissions, { contents: "read" });
      for (const [name, job] of Object.entries(workflow.jobs)) {
        const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        if (!aws) {
          assert.equal(job.permissions?.["id-token"], undefined, name);
          continue;
        }
        assert.equal(job.permissions?.["id-token"], "write", name);
        assert.equal(aws.with?.["role-to-assume"], expr("matrix.role"));
        assert.equal(aws.with?.["aws-region"], expr("matrix.region"));
        assert.equal(aws.with?.["aws-access-key-id"], undefined, "no long-lived keys");
      }
    }
  });

  it("pin every action to a commit or an exact release, and a CLI with the drift exit code", () => {
    const uses = [drift, preview, test].flatMap((w) =>
      Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.uses)),
    );
    for (const action of uses.filter(Boolean)) {
      assert.match(action!, /@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/, action);
    }
    for (const workflow of [drift, preview]) {
      const [major, minor, patch] = workflow.env.PULUMI_VERSION.split(".").map(Number);
      assert.ok(major === 3 && (minor > 226 || (minor === 226 && patch >= 1)), "exit code 7 exists from 3.226.1");
      const install = Object.values(workflow.jobs)
        .flatMap((j) => j.steps)
        .filter((s) => s.uses?.startsWith("pulumi/actions@"));
      assert.ok(install.length > 0);
      for (const step of install) assert.equal(step.with?.["pulumi-version"], expr("env.PULUMI_VERSION"));
    }
  });

  describe("the drift step, run with a stand-in pulumi", () => {
    const step = drift.jobs.drift.steps.find((s) => s.id === "preview")!;
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "drift-step-"));
      // Records its arguments and exits with the code under test.
      writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\necho "$@" > "${dir}/args"\nexit "$STUB_EXIT"\n`);
      chmodSync(path.join(dir, "pulumi"), 0o755);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function runStep(exitCode: number) {
      const files = { GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_STEP_SUMMARY: path.join(dir, "summary") };
      for (const file of Object.values(files)) writeFileSync(file, "");
      // `shell: bash` on GitHub runs the script as `bash --noprofile --norc -eo pipefail {0}`.
      const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        encoding: "utf8",
        env: {
          ...process.env,
          ...files,
          PATH: `${dir}:${process.env.PATH}`,
          STACK: "source",
          STUB_EXIT: String(exitCode),
        },
      });
      return {
        status: run.status,
        stdout: run.stdout,
        args: readFileSync(path.join(dir, "args"), "utf8").trim(),
        output: readFileSync(files.GITHUB_OUTPUT, "utf8"),
        summary: readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
      };
    }

    it("runs a refreshed preview of the matrix stack that expects no changes", () => {
      assert.equal(step.env?.STACK, expr("matrix.stack"));
      const { args } = runStep(0);
      assert.equal(args, "preview --stack source --refresh --expect-no-changes --diff --non-interactive");
    });

    it("passes when nothing drifted", () => {
      const r = runStep(0);
      assert.equal(r.status, 0);
      assert.equal(r.output, "result=clean\n");
      assert.match(r.summary, /`source`: no drift/);
    });

    it("reports exit code 7 as drift", () => {
      const r = runStep(7);
      assert.equal(r.status, 2);
      assert.equal(r.output, "result=drift\n");
      assert.match(r.summary, /`source`: \*\*DRIFT\*\*/);
      assert.match(r.stdout, /^::error title=Drift in stack source::/m);
    });

    it("reports any other failure as a broken run, not drift", () => {
      for (const code of [1, 3, 4, 6, 255]) {
        const r = runStep(code);
        assert.equal(r.status, 1, `exit ${code}`);
        assert.equal(r.output, "result=broken\n");
        assert.match(r.summary, new RegExp(`broken\\*\\* \\(pulumi exit code ${code}\\), not drift`));
        assert.match(r.stdout, /^::error title=Drift check broken for stack source::/m);
      }
    });
  });
});
