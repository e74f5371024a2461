// Mocha root hooks for suites that need the AWS emulator: start once, reset before every test, stop after.
import { resetEmulator, startEmulator, stopEmulator } from "../../scripts/emulator/lifecycle";

export async function mochaGlobalSetup(): Promise<void> {
  const url = await startEmulator();
  process.stderr.write(`AWS emulator (moto) on ${url}\n`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopEmulator();
}

export const mochaHooks = {
  async beforeEach(): Promise<void> {
    await resetEmulator();
  },
};
