// A pass-through HTTP proxy in front of moto for fault injection. AWS throttles and RDS copies can run for
// hours; moto never throttles and finishes every copy at once. The proxy can answer chosen RDS actions with
// an AWS error a number of times, and can make a chosen snapshot read as still `copying` at 0 % (a copy that
// never finishes), or chosen databases report a status of its choice. Everything else is moto's own answer, and the proxy records what the handlers asked for.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { emulatorEndpoint } from "./emulator/lifecycle";

interface Fault {
  action: string;
  code: string;
  status: number;
  remaining: number;
}

export class EmulatorProxy {
  private server?: http.Server;
  private faults: Fault[] = [];
  /** Snapshot id -> how many more describe answers show it copying (Infinity: for ever). */
  private stuck = new Map<string, number>();
  /** Database identifier prefix -> the status DescribeDB(Instances|Clusters) report for it. */
  private statuses = new Map<string, string>();
  /** Query-protocol requests (RDS) that reached moto, in order: action and decoded parameters. */
  readonly requests: { action: string; params: URLSearchParams }[] = [];
  url = "";

  /** The next `times` calls of an RDS `action` fail with AWS error `code`. */
  fail(action: string, code: string, times: number, status = 400): void {
    this.faults.push({ action, code, status, remaining: times });
  }

  /** DescribeDB(Cluster)Snapshots reports this snapshot id as copying at 0 % for ever. */
  neverFinish(snapshotId: string): void {
    this.stuck.set(snapshotId, Number.POSITIVE_INFINITY);
  }

  /** Like neverFinish, but only in the next `answers` describe answers that list it; then as moto has it. */
  copyingFor(snapshotId: string, answers: number): void {
    this.stuck.set(snapshotId, answers);
  }

  /** DescribeDBInstances and DescribeDBClusters report every database whose id starts with `prefix` as `status`. */
  databaseStatus(prefix: string, status: string): void {
    this.statuses.set(prefix, status);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.forward(req, Buffer.concat(chunks)).then(
          ({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(body);
          },
          (error: Error) => {
            res.writeHead(502);
            res.end(error.message);
          },
        );
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async forward(req: http.IncomingMessage, body: Buffer) {
    const text = body.toString();
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(text)?.[1];
    if (action) {
      const fault = this.faults.find((f) => f.action === action && f.remaining > 0);
      if (fault) {
        fault.remaining -= 1;
        const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>injected ${fault.code}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`;
        return { status: fault.status, headers: { "content-type": "text/xml" }, body: xml };
      }
      this.requests.push({ action, params: new URLSearchParams(text) });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    }
    const response = await fetch(`${emulatorEndpoint()}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
    });
    let out = Buffer.from(await response.arrayBuffer()).toString();
    if (action === "DescribeDBSnapshots" || action === "DescribeDBClusterSnapshots") out = this.rewriteStuck(out);
    if (action === "DescribeDBInstances" || action === "DescribeDBClusters") out = this.rewriteStatuses(out);
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => {
      if (!["content-length", "transfer-encoding", "content-encoding", "connection"].includes(k)) outHeaders[k] = v;
    });
    return { status: response.status, headers: outHeaders, body: out };
  }

  private rewriteStatuses(xml: string): string {
    let out = xml;
    for (const [prefix, status] of this.statuses) {
      const member = new RegExp(
        `<(DBInstance|DBCluster)>(?:(?!</\\1>).)*?<\\1Identifier>${prefix}[^<]*</\\1Identifier>(?:(?!</\\1>).)*?</\\1>`,
        "gs",
      );
      out = out.replace(member, (m, tag: string) => {
        const field = tag === "DBInstance" ? "DBInstanceStatus" : "Status";
        return m.replace(new RegExp(`<${field}>[^<]*</${field}>`), `<${field}>${status}</${field}>`);
      });
    }
    return out;
  }

  private rewriteStuck(xml: string): string {
    let out = xml;
    for (const [id, remaining] of this.stuck) {
      if (remaining <= 0) continue;
      const member = new RegExp(
        `(<(DBSnapshot|DBClusterSnapshot)>(?:(?!</\\2>).)*?<\\2Identifier>${id}</\\2Identifier>(?:(?!</\\2>).)*?</\\2>)`,
        "gs",
      );
      if (!member.test(out)) continue;
      this.stuck.set(id, remaining - 1);
      out = out.replace(member, (m) =>
        m
          .replace(/<Status>[^<]*<\/Status>/, "<Status>copying</Status>")
          .replace(/<PercentProgress>[^<]*<\/PercentProgress>/, "<PercentProgress>0</PercentProgress>"),
      );
    }
    return out;
  }
}
