/**
 * What the deploy command needs from Pulumi, kept this small so ordering, progress and error handling are tested
 * with an in-memory implementation while production uses the Automation API (automation.ts).
 * `onOutput` receives engine output in arbitrary chunks (not necessarily whole lines).
 * A thrown error is a failed run; its message is the reason shown to the operator.
 */
export interface StackRunner {
  up(stack: string, onOutput: (chunk: string) => void): Promise<void>;
  /** A refreshed preview that expects no changes: "drift" when the engine proposes any. */
  preview(stack: string, onOutput: (chunk: string) => void): Promise<"clean" | "drift">;
}
