// The admission decision (functions/decisions/admission.ts): order of arrival, slots from RDS's count, stale tickets
// skipped, the maximum age, and a wait that keeps a copy within its turn budget however long it waits.
import { strict as assert } from "node:assert";
import { ADMISSION, type AdmissionDecision, admit, type Ticket } from "../../functions/decisions/admission";

const T0 = 1_800_000_000;
const ticket = (id: string, arrivedAt: number, seenAt = arrivedAt): Ticket => ({ id, arrivedAt, seenAt });

describe("admission", () => {
  it("admits in order of arrival while RDS's count leaves slots; a newcomer queues behind everyone", () => {
    const queue = [ticket("b", T0 + 2), ticket("a", T0 + 1), ticket("c", T0 + 3)];
    const now = T0 + 10;
    assert.equal(admit(queue[1]!, queue, 18, 20, now).action, "start", "a is first, 2 slots free");
    assert.equal(admit(queue[0]!, queue, 18, 20, now).action, "start", "b is second");
    const c = admit(queue[2]!, queue, 18, 20, now);
    assert.equal(c.action, "wait");
    assert.deepEqual([(c as { ahead: number }).ahead, (c as { free: number }).free], [2, 2]);
    const newcomer = admit(ticket("0-early-id", T0 - 5), queue, 0, 3, now);
    assert.equal(newcomer.action, "wait", "not queued yet: behind the three queued copies, whatever its clock");
  });

  it("skips tickets nobody renewed (their run is gone), so a dead run leaks no slot", () => {
    const dead = ticket("dead", T0, T0);
    const me = ticket("me", T0 + 1);
    const now = T0 + ADMISSION.staleAfterSeconds + 10;
    assert.equal(admit({ ...me, seenAt: now }, [dead, me], 19, 20, now).action, "start");
    assert.equal(admit({ ...me, seenAt: now }, [{ ...dead, seenAt: now }, me], 19, 20, now).action, "wait");
  });

  it("fails loudly only past the maximum age, never while a slot is free", () => {
    const me = ticket("me", T0);
    const late = T0 + ADMISSION.maxAgeSeconds + 1;
    assert.equal(admit(me, [me], 5, 5, late).action, "expire");
    assert.equal(admit(me, [me], 4, 5, late).action, "start");
  });

  it("waits in proportion to the place, backs off while the place does not move", () => {
    const wait = (d: AdmissionDecision) => (d.action === "wait" ? d.waitSeconds : Number.NaN);
    const queue = Array.from({ length: 500 }, (_, i) => ticket(`t${String(i).padStart(3, "0")}`, T0 + i));
    const head = admit(queue[0]!, queue, 20, 20, T0 + 600);
    const far = admit(queue[499]!, queue, 20, 20, T0 + 600);
    assert.equal(wait(head), ADMISSION.minWaitSeconds, "next in line: checked every minute");
    assert.ok(wait(far) > 10 * wait(head), `${wait(far)} s far down the queue`);
    const stuck: Ticket = { ...queue[0]!, place: 1, placeSince: T0 };
    assert.ok(wait(admit(stuck, queue, 20, 20, T0 + 16 * 3600)) >= 3600, "no movement for 16 h: hourly");
  });

  it("stays within its turn budget over the whole maximum age, even stuck at the head", () => {
    let me: Ticket = ticket("me", T0);
    let now = T0;
    let turns = 0;
    for (;;) {
      const d = admit(me, [me], 5, 5, now);
      if (d.action !== "wait") break;
      turns += 1;
      me = d.ticket;
      now += d.waitSeconds;
    }
    assert.ok(turns <= ADMISSION.turnBudget, `${turns} turns`);
    assert.ok(now - T0 > ADMISSION.maxAgeSeconds, "it gave up by age, not by turns");
  });
});
