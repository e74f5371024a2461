// End to end: a DB snapshot copy's completion comes from RDS's copy-finished event (docs/engine.md, "Copy
// completion"). The copy is held copying by the proxy, the deployed definitions run with the serialized
// handlers, the registrar stores the run's task token in the admission table, and the documented event is
// handed to the serialized `<side>-copy-event` handler, which resumes the run through the emulator's Step
// Functions (launcher block 11). Also: a lost event is caught by the fallback check, a duplicated one does
// nothing, an early or crafted one resumes nothing, and an event that comes before the token is stored is
// covered by the registrar's own check.
import { strict as assert } from "node:assert";
import { readWaiter } from "../../functions/aws/copyWaiters";
import { destinationCopyId } from "../../functions/decisions/naming";
import type { AwaitCopyEvent } from "../../functions/steps/copyAwait";
import {
  copyFinishedEvent,
  DEST,
  type Execution,
  explain,
  instance,
  produce,
  runStartedConsumers,
  SOURCE,
  snsEvent,
  type TaskHandler,
  type World,
  worldPerTest,
} from "../../testkit";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Long enough that only the event (or the test) completes a waiting Task.
const NO_FALLBACK = { tokenTimeoutMs: () => 120_000 };

/**
 * The registrar wrapped: `before` runs before each turn (to hold the copy before the registrar's check), and
 * each turn's outcome is kept, so the test acts once the registrar has checked the copy, not before.
 */
function registrarTurns(register: TaskHandler, before: (input: AwaitCopyEvent) => void = () => undefined) {
  const turns: { input: AwaitCopyEvent; outcome: string }[] = [];
  const handler: TaskHandler = async (input) => {
    before(input as AwaitCopyEvent);
    const out = (await register(input)) as { outcome: string };
    turns.push({ input: input as AwaitCopyEvent, outcome: out.outcome });
    return out;
  };
  const turn = async (n: number) => {
    for (let i = 0; i < 2000 && turns.length < n; i++) await sleep(10);
    const found = turns[n - 1];
    if (!found) throw new Error(`the registrar did not run ${n} time(s)`);
    return found;
  };
  return { handler, turns, turn };
}

/** The producer's announcement of orders; the consumer's copy of it (id and ARN) held copying by the proxy. */
async function announcedAndHeld(world: World) {
  await instance(world.source, "orders");
  const { producer } = await produce(world, { trigger: "manual", database: "orders", kind: "instance" });
  assert.equal(producer.status, "SUCCEEDED", explain(world));
  const messages = world.inbox.at("/announce");
  const shared = JSON.parse(messages[0]?.Message ?? "{}").snapshotArn as string;
  const copyId = destinationCopyId(shared);
  world.proxy.neverFinish(copyId);
  await world.intake(snsEvent(messages));
  const copyArn = `arn:aws:rds:${DEST.region}:${DEST.account}:snapshot:${copyId}`;
  const event = (eventId?: string) =>
    copyFinishedEvent({
      account: DEST.account,
      region: DEST.region,
      copyId,
      source: { name: shared, region: DEST.region },
      eventId,
    });
  return { copyId, copyArn, event };
}

/**
 * A consumer run started on orders' announcement and waiting: its copy held copying, the registrar's first
 * turn done (token stored, copy still copying). `options` are the runner's (how long a token Task waits).
 */
async function waitingConsumerRun(world: World, options: { tokenTimeoutMs: () => number } = NO_FALLBACK) {
  const held = await announcedAndHeld(world);
  const registrar = registrarTurns(world.consumer["consumer-await-copy"]!);
  const handlers = { "consumer-await-copy": registrar.handler };
  const running = runStartedConsumers(world, new Set(), { ...options, handlers });
  assert.equal((await registrar.turn(1)).outcome, "waiting");
  return { ...held, registrar, running };
}

const count = (run: Execution | undefined, key: string) => run?.calls.filter((c) => c === key).length ?? 0;

describe("e2e: copy completion by RDS's copy-finished event", () => {
  const worlds = worldPerTest();

  it("consumer: the event resumes the waiting run; no fallback check, no poll; a duplicate does nothing", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { copyId, copyArn, event, registrar, running } = await waitingConsumerRun(world);
    assert.ok(await readWaiter(world.dest.dynamodb, world.consumerConfig.admissionTable, copyArn), "token stored");
    world.proxy.copyingFor(copyId, 0);
    const handle = world.consumer["consumer-copy-event"]!;
    assert.deepEqual(await handle(event()), { outcome: "completed" });
    const [run] = await running;
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal(count(run, "consumer-await-copy"), 1, "registered once: the event, not a fallback, resumed it");
    assert.equal(count(run, "consumer-poll"), 0);
    const poll = (run?.output as { copy: { poll: { done: boolean; status: string } } } | undefined)?.copy.poll;
    assert.deepEqual([poll?.done, poll?.status], [true, "available"]);
    assert.equal(await readWaiter(world.dest.dynamodb, world.consumerConfig.admissionTable, copyArn), undefined);

    // The same event again (EventBridge delivers at least once): nobody waits any more, nothing is sent.
    const calls = [...(run?.calls ?? [])];
    assert.deepEqual(await handle(event()), { outcome: "nobody-waits" });
    assert.deepEqual(run?.calls, calls, "the run's steps unchanged");
    assert.deepEqual(
      registrar.turns.map((t) => t.outcome),
      ["waiting"],
    );
  });

  it("consumer: two deliveries of one event at once resume the run exactly once", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { copyId, event, running } = await waitingConsumerRun(world);
    world.proxy.copyingFor(copyId, 0);
    const handle = world.consumer["consumer-copy-event"]!;
    const outcomes = (await Promise.all([handle(event()), handle(event())])).map(
      (o) => (o as { outcome: string }).outcome,
    );
    assert.equal(outcomes.filter((o) => o === "completed").length, 1, outcomes.join());
    assert.ok(
      outcomes.every((o) => ["completed", "already-resumed", "nobody-waits"].includes(o)),
      outcomes.join(),
    );
    const [run] = await running;
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal(count(run, "consumer-await-copy"), 1);
  });

  it("consumer: a lost event is caught by the fallback check (the Task times out, the registrar sees the copy)", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { copyId, registrar, running } = await waitingConsumerRun(world, { tokenTimeoutMs: () => 300 });
    world.proxy.copyingFor(copyId, 0);
    const [run] = await running;
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.deepEqual(
      registrar.turns.map((t) => t.outcome),
      ["waiting", "completed"],
      "the fallback turn's check completed the run",
    );
    assert.equal(count(run, "consumer-poll"), 0);
    assert.equal(
      (run?.output as { awaitTimedOut?: { Error: string } } | undefined)?.awaitTimedOut?.Error,
      "States.Timeout",
    );
  });

  it("consumer: an early or crafted event resumes nothing; an unrelated event is ignored", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { copyId, copyArn, event, running } = await waitingConsumerRun(world);
    const handle = world.consumer["consumer-copy-event"]!;
    // The copy still reads copying: the event is not trusted, the run keeps waiting.
    assert.deepEqual(await handle(event()), { outcome: "waiting" });
    assert.ok(await readWaiter(world.dest.dynamodb, world.consumerConfig.admissionTable, copyArn));
    const crafted = copyFinishedEvent({
      account: DEST.account,
      region: DEST.region,
      copyId: "someone-elses-copy",
      source: { name: "x", region: DEST.region },
    });
    assert.deepEqual(await handle(crafted), { outcome: "nobody-waits" });
    assert.deepEqual(await handle(event("RDS-EVENT-0042")), { outcome: "ignored" });
    world.proxy.copyingFor(copyId, 0);
    assert.deepEqual(await handle(event()), { outcome: "completed" });
    const [run] = await running;
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal(count(run, "consumer-await-copy"), 1);
  });

  it("consumer: the copy finishes (and its event comes) before the token is stored: the registrar completes", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    const { copyId, event } = await announcedAndHeld(world);
    world.proxy.copyingFor(copyId, 0);
    const early: string[] = [];
    const register = world.consumer["consumer-await-copy"]!;
    const handlers = {
      "consumer-await-copy": async (input: unknown) => {
        early.push(((await world.consumer["consumer-copy-event"]!(event())) as { outcome: string }).outcome);
        return register(input);
      },
    };
    const [run] = await runStartedConsumers(world, new Set(), { ...NO_FALLBACK, handlers });
    assert.deepEqual(early, ["nobody-waits"]);
    assert.equal(run?.status, "SUCCEEDED", explain(world));
    assert.equal(count(run, "consumer-await-copy"), 1);
  });

  it("producer: the transit copy's event (RDS-EVENT-0060 in the destination region) resumes the per-database run", async () => {
    const world = await worlds.build({ destRegion: DEST.region });
    await instance(world.source, "orders");
    const registrar = registrarTurns(world.producer["producer-await-copy"]!, (input) => {
      if (registrar.turns.length === 0) world.proxy.neverFinish(input.target.id);
    });
    const running = produce(world, { trigger: "manual", database: "orders", kind: "instance" }, new Set(), {
      ...NO_FALLBACK,
      handlers: { "producer-await-copy": registrar.handler },
    });
    const first = await registrar.turn(1);
    assert.equal(first.outcome, "waiting");
    const transit = first.input.target;
    assert.equal(transit.region, DEST.region, "the transit copy is made in the destination region");
    world.proxy.copyingFor(transit.id, 0);
    const event = copyFinishedEvent({
      account: SOURCE.account,
      region: DEST.region,
      copyId: transit.id,
      source: { name: "orders", region: SOURCE.region },
    });
    assert.equal(event.detail.EventID, "RDS-EVENT-0060");
    assert.deepEqual(await world.producer["producer-copy-event"]!(event), { outcome: "completed" });
    const { producer, databases } = await running;
    assert.equal(producer.status, "SUCCEEDED", explain(world));
    assert.equal(count(databases[0], "producer-await-copy"), 1);
    assert.equal(count(databases[0], "producer-poll"), 1, "the source snapshot's check only");
    assert.equal(world.inbox.at("/announce").length, 1, "announced after the event");
  });
});
