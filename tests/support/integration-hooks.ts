// Mocha root hooks for suites that need the AWS emulator: start once, reset before every test, stop after.
import { resetEmulator, startEmulator, stopEmulator } from "../../testkit";

export async function mochaGlobalSetup(): Promise<void> {
  await startEmulator();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopEmulator();
}

export const mochaHooks = {
  async beforeEach(): Promise<void> {
    await resetEmulator();
  },
};
