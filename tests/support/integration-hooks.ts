// Mocha root hooks for suites that need the AWS emulator: start once per process, reset before every test,
// stop after. Started from a root `beforeAll`, not `mochaGlobalSetup`: with `--parallel` the global fixtures
// run in mocha's main process, while the tests run in worker processes, each of which then starts its own
// emulator (its own moto on its own port), so no two workers ever share, or reset, one emulator's state.
import { EXTERNAL_ENDPOINT_VARIABLE, resetEmulator, startEmulator, stopEmulator } from "../../testkit";

export async function mochaGlobalTeardown(): Promise<void> {
  await stopEmulator();
}

export const mochaHooks = {
  // In parallel mode a root hook runs once per file; startEmulator returns the running one after the first.
  async beforeAll(): Promise<void> {
    // One external emulator would be reset by each worker under the other's tests.
    if (process.env.MOCHA_WORKER_ID !== undefined && process.env[EXTERNAL_ENDPOINT_VARIABLE])
      throw new Error(`${EXTERNAL_ENDPOINT_VARIABLE} is one emulator for every worker: run mocha with --jobs 1`);
    await startEmulator();
  },
  async beforeEach(): Promise<void> {
    await resetEmulator();
  },
};
