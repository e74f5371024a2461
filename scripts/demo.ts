// `npm run demo` / `npm start`: the replication flow on the embedded emulator (see docs/demo.md).
import "../testkit/setup";
import { stopEmulator } from "../testkit";
import { parseDemoArgs } from "./demo/args";
import { runDemo } from "./demo/main";

// Ctrl-C: stop the emulator before leaving, so no process outlives the demo.
process.once("SIGINT", () => {
  process.stderr.write("\nInterrupted: stopping the emulator.\n");
  void stopEmulator().finally(() => process.exit(130));
});

let args: ReturnType<typeof parseDemoArgs>;
try {
  args = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}

runDemo({ out: process.stdout, wide: args.wide, reportPath: args.reportPath }).then(
  (code) => {
    process.exitCode = code;
  },
  async (error: Error) => {
    process.stderr.write(`Demo failed: ${error.message}\n`);
    await stopEmulator();
    process.exitCode = 1;
  },
);
