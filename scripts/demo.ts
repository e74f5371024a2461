// `npm run demo` / `npm start`: the replication flow on the embedded emulator (see docs/demo.md).
import "./local/setup";
import { runDemo } from "./demo/main";
import { stopEmulator } from "./emulator/lifecycle";

// Ctrl-C: stop the emulator before leaving, so no process outlives the demo.
process.once("SIGINT", () => {
  process.stderr.write("\nInterrupted: stopping the emulator.\n");
  void stopEmulator().finally(() => process.exit(130));
});

runDemo({ out: process.stdout }).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: Error) => {
    process.stderr.write(`Demo failed: ${error.message}\n`);
    await stopEmulator();
    process.exitCode = 1;
  },
);
