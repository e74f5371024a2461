// Entry point of every stack: Pulumi runs the default export and uses its result as the stack outputs.
import { program } from "./stack/program";

export default program;
