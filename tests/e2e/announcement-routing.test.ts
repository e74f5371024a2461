// Two destination accounts of one source share its announcement topic: each subscription filters on the
// `destinationAccount` attribute (destinationFilterPolicy, as the dest stack subscribes), so each destination
// receives, copies and reports only its own announcements. An unfiltered subscription on the same topic shows
// what every destination got before: the other's announcements, each rejected and notified as a failure.
import { strict as assert } from "node:assert";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { CreateStateMachineCommand } from "@aws-sdk/client-sfn";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { consumerDefinition } from "../../components/stateMachines";
import { stepsOf } from "../../functions/catalog";
import { destinationFilterPolicy } from "../../functions/contracts/announcement";
import type { ConsumerRuntimeConfig } from "../../functions/contracts/runtimeConfig";
import {
  type Clients,
  clientsFor,
  DEST,
  explain,
  fakeLambdaArns,
  handlersFor,
  instance,
  replicate,
  snapshotsIn,
  snsEvent,
  THIRD,
  type World,
  worldPerTest,
} from "../../testkit";

const destinationOf = (message: string) => (JSON.parse(message) as { destinationAccount: string }).destinationAccount;

/** A second destination account's consumer: its key, notify topic, state machine and intake. */
async function secondConsumer(world: World) {
  const clients: Clients = await clientsFor({ account: THIRD.account, region: world.destPlace.region });
  const { KeyMetadata } = await clients.kms.send(new CreateKeyCommand({ Description: "third copies" }));
  const { TopicArn: notifyTopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: "third-notify" }));
  await clients.sns.send(
    new SubscribeCommand({ TopicArn: notifyTopicArn, Protocol: "http", Endpoint: `${world.inbox.url}/third-notify` }),
  );
  const arns = fakeLambdaArns(
    stepsOf("consumer").map((s) => s.key),
    THIRD.account,
    clients.place.region,
  );
  const { stateMachineArn } = await clients.sfn.send(
    new CreateStateMachineCommand({
      name: "rds-replication-consumer",
      definition: JSON.stringify(consumerDefinition(arns)),
      roleArn: `arn:aws:iam::${THIRD.account}:role/rds-replication-consumer`,
    }),
  );
  const config: ConsumerRuntimeConfig = {
    ...world.consumerConfig,
    account: THIRD.account,
    keyArn: KeyMetadata?.Arn ?? "",
    notifyTopicArn: notifyTopicArn ?? "",
  };
  const handlers = await handlersFor("consumer", clients, config, { STATE_MACHINE_ARN: stateMachineArn ?? "" });
  return { clients, intake: handlers["consumer-intake"] as World["intake"] };
}

describe("e2e: announcements reach only their destination (subscription filter on destinationAccount)", () => {
  const worlds = worldPerTest();

  it("two destinations of one source: each gets, copies and reports only its own announcement", async () => {
    const world = await worlds.build({ destRegion: DEST.region, otherDestinations: [THIRD.account] });
    const third = await secondConsumer(world);
    const topic = world.producerConfig.announceTopicArn;
    await world.source.sns.send(
      new SubscribeCommand({
        TopicArn: topic,
        Protocol: "http",
        Endpoint: `${world.inbox.url}/third-announce`,
        Attributes: { FilterPolicy: destinationFilterPolicy(THIRD.account) },
      }),
    );
    await world.source.sns.send(
      new SubscribeCommand({ TopicArn: topic, Protocol: "http", Endpoint: `${world.inbox.url}/unfiltered` }),
    );
    await instance(world.source, "orders");

    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));

    // The source announced twice on one topic; each filtered subscription got exactly its own.
    const unfiltered = world.inbox.at("/unfiltered").map((m) => destinationOf(m.Message));
    assert.deepEqual(unfiltered.sort(), [DEST.account, THIRD.account].sort());
    assert.deepEqual(
      world.inbox.at("/announce").map((m) => destinationOf(m.Message)),
      [DEST.account],
    );
    assert.deepEqual(
      world.inbox.at("/third-announce").map((m) => destinationOf(m.Message)),
      [THIRD.account],
    );

    // Destination 1 copied its announcement and reported no failure.
    assert.deepEqual(flow.intake.rejected, []);
    assert.equal(flow.consumers[0]?.status, "SUCCEEDED", explain(world));
    assert.equal((await snapshotsIn(world.dest, "manual")).length, 1);
    const failed = (path: string) => world.inbox.notifications(path).filter((n) => n.outcome === "failed");
    assert.deepEqual(failed("/consumer-notify"), []);

    // Destination 2 accepted its own and reported no failure.
    const accepted = await third.intake(snsEvent(world.inbox.at("/third-announce")));
    assert.deepEqual(accepted.rejected, []);
    assert.equal(accepted.started.length, 1);
    assert.deepEqual(failed("/third-notify"), []);
  });

  it("control, unfiltered as before: destination 2 receives destination 1's announcement and reports it failed", async () => {
    const world = await worlds.build({ destRegion: DEST.region, otherDestinations: [THIRD.account] });
    const third = await secondConsumer(world);
    await world.source.sns.send(
      new SubscribeCommand({
        TopicArn: world.producerConfig.announceTopicArn,
        Protocol: "http",
        Endpoint: `${world.inbox.url}/unfiltered`,
      }),
    );
    await instance(world.source, "orders");
    const flow = await replicate(world, { trigger: "schedule" });
    assert.equal(flow.producer.status, "SUCCEEDED", explain(world));

    const result = await third.intake(snsEvent(world.inbox.at("/unfiltered")));
    assert.equal(result.started.length, 1, "its own is accepted");
    assert.deepEqual(
      result.rejected.map((r) => r.reason),
      [`announcement is for account ${DEST.account}, this is ${THIRD.account}`],
    );
    const failures = world.inbox.notifications("/third-notify").filter((n) => n.outcome === "failed");
    assert.equal(failures.length, 1, "a failure notification for another destination's announcement");
  });
});
