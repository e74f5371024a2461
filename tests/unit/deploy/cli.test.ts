import { strict as assert } from "node:assert";
import { type Deps, main } from "../../../scripts/deploy/cli";
import { EXIT, PulumiCliMissingError } from "../../../scripts/deploy/errors";
import { memoryRunner, recordingConsole, type Scripted } from "./memory-runner";

const PAIRS = `
accounts:
  "111111111111": { ciRole: "arn:aws:iam::111111111111:role/ci" }
  "222222222222": { ciRole: "arn:aws:iam::222222222222:role/ci" }
stacks:
  - { name: dev, account: "222222222222", region: eu-central-1, sources: [prod] }
  - { name: prod, account: "111111111111", region: eu-west-1 }
  - { name: qa, account: "222222222222", region: eu-central-1, sources: [prod] }
`;

function setup(
  options: { files?: Record<string, string>; outcomes?: Record<string, Scripted>; cli?: () => Promise<void> } = {},
) {
  const files = options.files ?? { "deploy/pairs.yaml": PAIRS };
  const { runner, calls } = memoryRunner(options.outcomes);
  const { out, lines } = recordingConsole();
  const errors: string[] = [];
  const accounts: Record<string, string>[] = [];
  const deps: Deps = {
    readFile: (file) => {
      if (!(file in files)) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
      return files[file];
    },
    ensureCli: options.cli ?? (async () => {}),
    runner: (pinned) => {
      accounts.push({ ...pinned });
      return runner;
    },
    out,
    error: (line) => errors.push(line),
  };
  return { deps, calls, lines, errors, accounts };
}

describe("deploy: command", () => {
  it("hands the runner each stack's account from the pairs file, to pin aws:allowedAccountIds", async () => {
    const { deps, accounts } = setup();
    assert.equal(await main(["--stack", "dev"], deps), EXIT.ok);
    assert.deepEqual(accounts, [{ dev: "222222222222", prod: "111111111111", qa: "222222222222" }]);
  });

  it("brings up every stack of deploy/pairs.yaml, sources first", async () => {
    const { deps, calls } = setup();
    assert.equal(await main([], deps), EXIT.ok);
    assert.deepEqual(calls, ["up prod", "up dev", "up qa"]);
  });

  it("--preview drift-checks every stack and exits 2 naming the drifted ones", async () => {
    const { deps, calls, lines } = setup({ outcomes: { qa: "drift" } });
    assert.equal(await main(["--preview"], deps), EXIT.drift);
    assert.deepEqual(calls, ["preview prod", "preview dev", "preview qa"]);
    assert.equal(lines.at(-1), "Drift in 1 stack(s): qa");
  });

  it("--stack limits the run to the named stacks, in deploy order", async () => {
    const { deps, calls } = setup();
    assert.equal(await main(["--stack", "qa", "--stack", "prod"], deps), EXIT.ok);
    assert.deepEqual(calls, ["up prod", "up qa"]);
  });

  it("exits 1 when a stack fails", async () => {
    const { deps, calls } = setup({ outcomes: { prod: { fail: "error: AccessDenied" } } });
    assert.equal(await main([], deps), EXIT.failure);
    assert.deepEqual(calls, ["up prod"]);
  });

  it("reads another pairs file with --pairs", async () => {
    const other = PAIRS.replace(/\n {2}- \{ name: (dev|qa).*/g, "");
    const { deps, calls } = setup({ files: { "other.yaml": other } });
    assert.equal(await main(["--pairs", "other.yaml"], deps), EXIT.ok);
    assert.deepEqual(calls, ["up prod"]);
  });

  it("exits 3 without running anything on bad usage or a bad pairs file, saying why", async () => {
    const cases: [string[], Record<string, string> | undefined, RegExp][] = [
      [["--stak", "qa"], undefined, /Unknown option '--stak'/],
      [["--stack"], undefined, /--stack/],
      [["extra"], undefined, /Unexpected argument 'extra'/],
      [["--stack", "prd"], undefined, /--stack prd: not in deploy\/pairs\.yaml \(known: prod, dev, qa\)/],
      [[], {}, /cannot read pairs file deploy\/pairs\.yaml: ENOENT/],
      [
        [],
        {
          "deploy/pairs.yaml": PAIRS.replace(
            "sources: [prod] }\n  - { name: prod",
            "sources: [prd] }\n  - { name: prod",
          ),
        },
        /unknown source stack referenced: dev -> prd/,
      ],
      [
        [],
        { "deploy/pairs.yaml": PAIRS.replace("region: eu-west-1", "region: eu-west-1, sources: [qa]") },
        /cycle: prod -> qa -> prod/,
      ],
      [[], { "deploy/pairs.yaml": PAIRS.replace("eu-west-1", "Ireland") }, /stacks\[1\]\.region: .*\(got "Ireland"\)/],
    ];
    for (const [argv, files, expected] of cases) {
      const { deps, calls, errors } = setup({ files });
      assert.equal(await main(argv, deps), EXIT.usage, argv.join(" "));
      assert.deepEqual(calls, []);
      assert.match(errors[0], expected);
      assert.match(errors[1], /^Usage: npm run deploy/);
    }
  });

  it("--help prints the usage with the exit codes and runs nothing", async () => {
    const { deps, calls, lines } = setup({ files: {} });
    assert.equal(await main(["--help"], deps), EXIT.ok);
    assert.deepEqual(calls, []);
    assert.match(lines[0], /Exit codes: 0 ok, 1 .*, 2 drift .*, 3 bad usage/);
  });

  it("exits 1 with install instructions when the Pulumi CLI is missing, before touching any stack", async () => {
    const missing = async () => {
      throw new PulumiCliMissingError("`pulumi` is not on PATH");
    };
    const { deps, calls, errors } = setup({ cli: missing });
    assert.equal(await main([], deps), EXIT.failure);
    assert.deepEqual(calls, []);
    assert.match(errors.join("\n"), /The Pulumi CLI was not found .*\n.*must be installed/);
    assert.match(errors.join("\n"), /Download & Install/);
  });
});
