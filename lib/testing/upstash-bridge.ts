import http from "node:http";
import type { AddressInfo } from "node:net";
import { connectResp, type RespClient, type RespReply } from "./resp";

export interface UpstashBridge {
  /** Base URL to give `@upstash/redis` as `url`. */
  url: string;
  /** Requests answered so far. */
  readonly requests: number;
  /** While true, requests are accepted and never answered (a hung cache). */
  setHang(hang: boolean): void;
  close(): Promise<void>;
}

type Command = (string | number)[];

function toJson(reply: RespReply, base64: boolean): unknown {
  switch (reply.type) {
    case "simple":
      // Upstash leaves only "OK" unencoded; the SDK base64-decodes every other string.
      return base64 && reply.value !== "OK" ? Buffer.from(reply.value).toString("base64") : reply.value;
    case "integer":
      return reply.value;
    case "error":
      return reply.value;
    case "bulk":
      if (reply.value === null) return null;
      return base64 ? reply.value.toString("base64") : reply.value.toString("utf8");
    case "array":
      return reply.value === null ? null : reply.value.map((item) => toJson(item, base64));
  }
}

function entry(reply: RespReply, base64: boolean): { result: unknown } | { error: string } {
  return reply.type === "error" ? { error: reply.value } : { result: toJson(reply, base64) };
}

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean")
  );
}

/**
 * An HTTP server speaking the Upstash Redis REST protocol in front of a real Redis: `POST /` with one
 * JSON command array, `POST /pipeline` and `POST /multi-exec` with an array of them, a Bearer token,
 * `{ result }` / `{ error }` answers and `Upstash-Encoding: base64` (every string but "OK" encoded).
 */
export async function startUpstashBridge(options: {
  redisUrl?: string;
  token: string;
  hang?: boolean;
}): Promise<UpstashBridge> {
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  let hang = options.hang ?? false;
  let answered = 0;
  let connection: Promise<RespClient> | undefined;

  const redis = (): Promise<RespClient> => {
    if (!connection) {
      const opening = connectResp(redisUrl);
      connection = opening;
      opening.catch(() => {
        if (connection === opening) connection = undefined;
      });
    }
    return connection;
  };
  const run = async (commands: Command[]): Promise<RespReply[]> => {
    const client = await redis();
    try {
      return await client.sendMany(commands);
    } catch (err) {
      connection = undefined;
      client.close();
      throw err;
    }
  };

  const handle = async (
    req: http.IncomingMessage,
    body: string,
  ): Promise<{ status: number; json: unknown }> => {
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return { status: 401, json: { error: "Unauthorized" } };
    if (req.method !== "POST") return { status: 405, json: { error: "Method not allowed" } };
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { status: 400, json: { error: "ERR failed to parse command" } };
    }
    const path = (req.url ?? "/").split("?")[0]?.replace(/\/+$/, "") || "/";
    if (path === "/") {
      if (!isCommand(parsed)) return { status: 400, json: { error: "ERR expected a command array" } };
      const [reply] = await run([parsed]);
      const out = entry(reply as RespReply, base64);
      return { status: "error" in out ? 400 : 200, json: out };
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isCommand)) {
        return { status: 400, json: { error: "ERR expected an array of command arrays" } };
      }
      const commands = parsed as Command[];
      if (path === "/pipeline") {
        const replies = await run(commands);
        return { status: 200, json: replies.map((r) => entry(r, base64)) };
      }
      const replies = await run([["MULTI"], ...commands, ["EXEC"]]);
      const exec = replies[replies.length - 1] as RespReply;
      if (exec.type === "error") return { status: 400, json: { error: exec.value } };
      if (exec.type !== "array" || exec.value === null) {
        const queued = replies.slice(1, -1).find((r) => r.type === "error");
        return { status: 400, json: { error: queued?.type === "error" ? queued.value : "EXECABORT" } };
      }
      return { status: 200, json: exec.value.map((r) => entry(r, base64)) };
    }
    return { status: 404, json: { error: "Not found" } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (hang) return;
      handle(req, Buffer.concat(chunks).toString("utf8")).then(
        ({ status, json }) => {
          answered++;
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
        },
        (err: unknown) => {
          answered++;
          const message = err instanceof Error ? err.message : String(err);
          res
            .writeHead(500, { "content-type": "application/json" })
            .end(JSON.stringify({ error: `ERR ${message}` }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return answered;
    },
    setHang(value) {
      hang = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const open = connection;
      connection = undefined;
      if (open) (await open.catch(() => undefined))?.close();
    },
  };
}
