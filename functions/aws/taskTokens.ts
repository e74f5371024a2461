// Resuming a run that waits on a task token (a Task of `lambda:invoke.waitForTaskToken`). A token whose Task
// already ended (it timed out, its run stopped, or someone resumed it) is refused by Step Functions with
// TaskTimedOut, TaskDoesNotExist or InvalidToken: for the copy events that means "already resumed", never an
// error, because events are duplicated and the fallback check races them by design.
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from "@aws-sdk/client-sfn";

const ALREADY_ENDED = ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"];

/** Whether the error says the token's Task has already ended. */
export const taskAlreadyEnded = (error: unknown): boolean => ALREADY_ENDED.includes((error as Error)?.name);

/** Completes the Task with `output`; false when the Task had already ended. */
export async function resumeTask(token: string, output: unknown): Promise<boolean> {
  try {
    await new SFNClient({}).send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    return true;
  } catch (error) {
    if (taskAlreadyEnded(error)) return false;
    throw error;
  }
}

/** Fails the Task with `error` (the state machine's Catch sees it as the error name); false when it had ended. */
export async function failTask(token: string, error: string, cause: string): Promise<boolean> {
  try {
    await new SFNClient({}).send(new SendTaskFailureCommand({ taskToken: token, error, cause: cause.slice(0, 32768) }));
    return true;
  } catch (failure) {
    if (taskAlreadyEnded(failure)) return false;
    throw failure;
  }
}
