// Time for the steps that wait or age things (the poll step's near-end watch, admission's queue order and age
// bound). Injected: each such handler is built by a factory over a clock (functions/catalog.ts builds the
// deployed ones over the real clock); tests and the benchmark build them over a clock of their own.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
