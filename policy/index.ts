// The rds-replication policy pack: `pulumi preview --policy-pack policy` (from the project root) checks every
// resource of a stack against the rules in ./rules.ts before anything is deployed.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./checks";

new PolicyPack("rds-replication", { policies });
