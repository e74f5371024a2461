// The clock tests and the benchmark build the time-reading steps over (functions/clock.ts): time moves when
// a handler sleeps (RDS takes no time on the emulator either, so the poll step's near-end watch costs none)
// and when a test or the benchmark advances it (a backlog waiting for copy slots for days). Handlers are
// serialized closures, which capture values by copy: what a handler slept stays its own, and the offset a test
// advances lives on globalThis, so every handler and the test read the one offset of the process.
import type { Clock } from "../functions/clock";

type WithOffset = { __rdsReplicationClockOffsetMs?: number };

export const fastForwardClock = (): Clock => {
  const slept = { ms: 0 };
  return {
    now: () => Date.now() + slept.ms + ((globalThis as WithOffset).__rdsReplicationClockOffsetMs ?? 0),
    sleep: async (ms) => {
      slept.ms += ms;
    },
  };
};

/** Moves every fast-forward clock of the process on by `ms`. */
export function advanceClock(ms: number): void {
  const g = globalThis as WithOffset;
  g.__rdsReplicationClockOffsetMs = (g.__rdsReplicationClockOffsetMs ?? 0) + ms;
}
