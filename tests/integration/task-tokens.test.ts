// The emulator's task tokens (launcher block 11): moto 5.1.1 accepts SendTaskSuccess/SendTaskFailure/
// SendTaskHeartbeat with any token and does nothing. Step Functions refuses a token that is not valid
// (InvalidToken), one whose Task already ended (TaskDoesNotExist), one whose Task timed out (TaskTimedOut), and
// an output that is not JSON (InvalidOutput); the handlers that resume runs (functions/aws/taskTokens.ts) depend
// on those answers. Each assertion below fails on plain moto.
import { strict as assert } from "node:assert";
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { clientsFor, DEST, emulatorEndpoint, taskToken } from "../../testkit";

describe("emulator: Step Functions task tokens as AWS answers them", () => {
  let sfn: SFNClient;

  before(async () => {
    const clients = await clientsFor(DEST);
    sfn = new SFNClient({ region: DEST.region, endpoint: emulatorEndpoint(), credentials: clients.credentials });
  });

  const refused = (promise: Promise<unknown>, name: string) =>
    assert.rejects(promise, (error: Error) => {
      assert.equal(error.name, name);
      return true;
    });

  it("refuses a token no Task was given: InvalidToken", async () => {
    const taskToken = "not-a-token-of-any-task";
    await refused(sfn.send(new SendTaskSuccessCommand({ taskToken, output: "{}" })), "InvalidToken");
    await refused(sfn.send(new SendTaskFailureCommand({ taskToken, error: "E" })), "InvalidToken");
    await refused(sfn.send(new SendTaskHeartbeatCommand({ taskToken })), "InvalidToken");
  });

  it("completes a waiting Task once: its output recorded, a second completion TaskDoesNotExist", async () => {
    const { token } = await taskToken("issue");
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await refused(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "not json" })), "InvalidOutput");
    assert.equal((await taskToken("read", token)).status, "PENDING");
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"done":true}' }));
    const read = await taskToken("read", token);
    assert.deepEqual([read.status, read.output], ["SUCCEEDED", '{"done":true}']);
    await refused(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })), "TaskDoesNotExist");
    await refused(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "Late" })), "TaskDoesNotExist");
    await refused(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })), "TaskDoesNotExist");
  });

  it("fails a waiting Task with its error and cause", async () => {
    const { token } = await taskToken("issue");
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "PollGaveUp", cause: "the copy failed" }));
    const read = await taskToken("read", token);
    assert.deepEqual([read.status, read.error, read.cause], ["FAILED", "PollGaveUp", "the copy failed"]);
  });

  it("refuses a token whose Task timed out: TaskTimedOut", async () => {
    const { token } = await taskToken("issue");
    assert.equal((await taskToken("time-out", token)).status, "TIMED_OUT");
    await refused(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })), "TaskTimedOut");
    await refused(sfn.send(new SendTaskFailureCommand({ taskToken: token, error: "E" })), "TaskTimedOut");
  });
});
