// Reading ARNs: one definition for the handlers (which region a topic is in) and the program (which region a
// key grant is pinned to). Pure, no SDK: the Pulumi program imports it too.

/** The region of an ARN (`arn:aws:sns:eu-west-1:...` -> `eu-west-1`); empty for a global one (IAM). */
export function regionOfArn(arn: string): string {
  return arn.split(":")[3] ?? "";
}
