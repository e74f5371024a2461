// The emulator installer's route choice and its one failure message (testkit/emulator/install.js), as pure
// functions over what a machine offers: a Debian machine, one without apt, one without Python.
import { strict as assert } from "node:assert";
import * as path from "node:path";

const installer = require(path.resolve(__dirname, "..", "..", "..", "testkit", "emulator", "install.js")) as {
  planInstall(facts: object): { use?: string; routes?: { route: string; missing: string[] }[] };
  describeFailure(attempts: { route: string; missing: string[]; error?: string }[]): string;
};

const DEBIAN = {
  python: "/usr/bin/python3",
  pythonFound: true,
  aptGet: true,
  dpkg: true,
  canInstallDependencies: true,
  debianMirror: true,
  venvModule: true,
};

describe("emulator installer: route choice and message", () => {
  it("uses what is there: an external endpoint, else Debian's install, else the venv", () => {
    assert.deepEqual(installer.planInstall({ external: "http://127.0.0.1:5000" }), { use: "external" });
    assert.deepEqual(installer.planInstall({ debianReady: true }), { use: "debian" });
    assert.deepEqual(installer.planInstall({ venvReady: true }), { use: "venv" });
  });

  it("tries Debian's packages first, then a virtual environment", () => {
    assert.deepEqual(installer.planInstall(DEBIAN).routes, [
      { route: "debian", missing: [] },
      { route: "venv", missing: [] },
    ]);
  });

  it("without apt (another distribution, macOS) skips Debian naming what it lacks, and keeps the venv", () => {
    const plan = installer.planInstall({ ...DEBIAN, aptGet: false, dpkg: false, debianMirror: false });
    assert.deepEqual(plan.routes, [
      {
        route: "debian",
        missing: ["apt-get", "dpkg", "a Debian mirror in /etc/apt/sources.list.d/debian.sources"],
      },
      { route: "venv", missing: [] },
    ]);
  });

  it("names root when apt-get cannot install the dependencies, and python3-venv when venv is missing", () => {
    const plan = installer.planInstall({ ...DEBIAN, canInstallDependencies: false, venvModule: false });
    assert.deepEqual(plan.routes, [
      { route: "debian", missing: ["root, to apt-get install moto's Python dependencies"] },
      { route: "venv", missing: ["python3's venv module (python3-venv)"] },
    ]);
  });

  it("without python3 neither route can run, and both say so", () => {
    const plan = installer.planInstall({ ...DEBIAN, python: "/opt/none/python3", pythonFound: false });
    for (const route of plan.routes ?? []) {
      assert.equal(route.missing[0], "python3 at /opt/none/python3 (set RDS_REPLICATION_PYTHON to another one)");
    }
    assert.deepEqual(
      plan.routes?.map((r) => r.route),
      ["debian", "venv"],
    );
  });

  it("fails with one message: every route tried, what it lacked or how it failed, and the way out", () => {
    const message = installer.describeFailure([
      { route: "debian", missing: ["apt-get", "dpkg"] },
      { route: "venv", missing: [], error: "pip install failed: ERROR: No matching distribution found for moto" },
    ]);
    assert.equal(
      message,
      [
        "cannot install the AWS emulator (moto server). Tried:",
        "  1. Debian packages (python3-moto from the Debian archive, its dependencies by apt-get): missing apt-get, dpkg",
        '  2. A Python virtual environment (.cache/emulator/venv, pip install "moto[server]==5.1.1"): failed: pip install failed: ERROR: No matching distribution found for moto',
        'Fix one of these, or run a moto server yourself (any machine with Python: pip install "moto[server]==5.1.1" && moto_server -p 5000) and set RDS_REPLICATION_EMULATOR_ENDPOINT=http://127.0.0.1:5000',
      ].join("\n"),
    );
  });
});
