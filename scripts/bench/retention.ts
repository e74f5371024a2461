// Figure 5: planRetention on 1k, 10k and 100k snapshots, one every 2 hours back from now, under the Standard
// preset (daily 7, weekly 5, monthly 12, yearly 7): the DRACO lifecycle most copies carry.
import { planRetention, RETENTION_PRESETS } from "../../functions/decisions/retentionPolicy";
import { median, timeRuns } from "./stats";

export const SIZES = [1_000, 10_000, 100_000];
const NOW = new Date("2026-01-01T00:00:00Z");

export function snapshots(count: number) {
  // Newest first would favour a sort that expects it; interleave so the planner really sorts.
  return Array.from({ length: count }, (_, i) => {
    const age = ((i * 7919) % count) * 2 * 3600 * 1000;
    return { id: `snap-${i}`, createdAt: new Date(NOW.getTime() - age), managed: i % 50 !== 0 };
  });
}

export function retentionFigure(runs = 9) {
  return SIZES.map((size) => {
    const input = snapshots(size);
    let kept = 0;
    const times = timeRuns(() => {
      kept = planRetention(input, RETENTION_PRESETS.Standard, NOW).keep.length;
    }, runs);
    return { snapshots: size, medianMs: median(times), runs: times, kept };
  });
}
