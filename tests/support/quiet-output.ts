// Mocha root hook: what tests, hooks and the handlers they run write to stdout/stderr (Powertools JSON log
// lines, console output) is held back while each test or hook runs, and replayed only when it fails, so a
// passing `npm test` prints mocha's report alone. Loaded by every tests/.mocharc.*.json.
import type { Context, Done, Hook, Runnable, Suite } from "mocha";

type Write = typeof process.stdout.write;
const STREAMS = [process.stdout, process.stderr] as const;

function replay(title: string, held: string[]): void {
  if (held.length === 0) return;
  process.stderr.write(`\n--- output of "${title}" (failed) ---\n${held.join("")}--- end of output ---\n`);
}

/** The runnable's function, with its output held back and replayed if it fails. */
function quiet(runnable: Runnable): void {
  const fn = runnable.fn as ((this: Context, done?: Done) => unknown) | undefined;
  if (!fn || (fn as { quiet?: boolean }).quiet) return;
  const title = runnable.fullTitle();
  const wrapped = function (this: Context, done?: Done) {
    const held: string[] = [];
    const originals = STREAMS.map((stream) => stream.write);
    for (const stream of STREAMS)
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        held.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
        return true;
      }) as Write;
    const finish = (failed: boolean) => {
      STREAMS.forEach((stream, i) => {
        stream.write = originals[i];
      });
      if (failed) replay(title, held);
    };
    if (fn.length > 0)
      return fn.call(this, (error?: unknown) => {
        finish(!!error);
        done?.(error);
      });
    try {
      const result = fn.call(this);
      if (result && typeof (result as Promise<unknown>).then === "function")
        return (result as Promise<unknown>).then(
          (value) => {
            finish(false);
            return value;
          },
          (error) => {
            finish(true);
            throw error;
          },
        );
      finish(false);
      return result;
    } catch (error) {
      finish(true);
      throw error;
    }
  };
  Object.defineProperty(wrapped, "length", { value: fn.length });
  (wrapped as { quiet?: boolean }).quiet = true;
  runnable.fn = wrapped as Runnable["fn"];
}

interface SuiteHooks {
  _beforeAll: Hook[];
  _beforeEach: Hook[];
  _afterEach: Hook[];
  _afterAll: Hook[];
}

function quietSuite(suite: Suite): void {
  const hooks = suite as unknown as SuiteHooks;
  for (const hook of [...hooks._beforeAll, ...hooks._beforeEach, ...hooks._afterEach, ...hooks._afterAll]) quiet(hook);
  suite.tests.forEach(quiet);
  suite.suites.forEach(quietSuite);
}

export const mochaHooks = {
  beforeAll(this: Context) {
    let root = this.test?.parent;
    while (root?.parent) root = root.parent;
    if (root) quietSuite(root);
  },
};
