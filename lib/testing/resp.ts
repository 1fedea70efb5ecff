import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

/** A decoded RESP2 reply. Bulk strings stay as bytes so callers choose the encoding. */
export type RespReply =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "integer"; value: number }
  | { type: "bulk"; value: Buffer | null }
  | { type: "array"; value: RespReply[] | null };

/** A pipelining Redis connection speaking RESP2 over node:net (tests and benchmarks only). */
export interface RespClient {
  /** Sends one command; resolves with its reply (error replies included, never thrown). */
  send(args: (string | number | Buffer)[]): Promise<RespReply>;
  /** Sends several commands in one write; their replies come back in order. */
  sendMany(commands: (string | number | Buffer)[][]): Promise<RespReply[]>;
  close(): void;
}

function encode(args: (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, offset: number): { reply: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (kind) {
    case "+":
      return { reply: { type: "simple", value: line }, next: after };
    case "-":
      return { reply: { type: "error", value: line }, next: after };
    case ":":
      return { reply: { type: "integer", value: Number(line) }, next: after };
    case "$": {
      const len = Number(line);
      if (len < 0) return { reply: { type: "bulk", value: null }, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { reply: { type: "bulk", value: buf.subarray(after, after + len) }, next: after + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: { type: "array", value: null }, next: after };
      const items: RespReply[] = [];
      let at = after;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, at);
        if (!item) return undefined;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: { type: "array", value: items }, next: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(kind)}`);
  }
}

/** Opens a connection to `redis://host:port`; rejects when nothing answers there. */
export function connectResp(url: string): Promise<RespClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const waiting: { resolve: (r: RespReply) => void; reject: (e: Error) => void }[] = [];
    let buffer = Buffer.alloc(0);
    let failure: Error | undefined;

    const failAll = (err: Error) => {
      failure ??= err;
      for (const w of waiting.splice(0)) w.reject(failure);
    };
    socket.on("data", (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const parsed = parse(buffer, offset);
        if (!parsed) break;
        offset = parsed.next;
        waiting.shift()?.resolve(parsed.reply);
      }
      buffer = buffer.subarray(offset);
    });
    socket.once("connect", () => {
      socket.setNoDelay(true);
      resolve(client);
    });
    socket.on("error", (err) => {
      failAll(err);
      reject(err);
    });
    socket.on("close", () => failAll(new Error("redis connection closed")));

    const client: RespClient = {
      send: (args) => client.sendMany([args]).then((r) => r[0] as RespReply),
      sendMany(commands) {
        if (failure || socket.destroyed)
          return Promise.reject(failure ?? new Error("redis connection closed"));
        const replies = commands.map(
          () => new Promise<RespReply>((res, rej) => waiting.push({ resolve: res, reject: rej })),
        );
        socket.write(Buffer.concat(commands.map(encode)));
        return Promise.all(replies);
      },
      close: () => socket.destroy(),
    };
  });
}

/** Deletes every key starting with `prefix` (SCAN + DEL, never FLUSHALL). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const client = await connectResp(url);
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const reply = await client.send(["SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", 1000]);
      if (reply.type !== "array" || !reply.value) break;
      const [next, keys] = reply.value;
      cursor = next?.type === "bulk" && next.value ? next.value.toString() : "0";
      const names = keys?.type === "array" && keys.value ? keys.value : [];
      const args = names.flatMap((k) => (k.type === "bulk" && k.value ? [k.value] : []));
      if (args.length) {
        const del = await client.send(["DEL", ...args]);
        if (del.type === "integer") deleted += del.value;
      }
    } while (cursor !== "0");
  } finally {
    client.close();
  }
  return deleted;
}

/** A throwaway redis-server child process on a free port (tests that must kill Redis). */
export interface PrivateRedis {
  url: string;
  child: ChildProcess;
  /** Kills the server (SIGKILL) and resolves once it has exited. */
  kill(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server --port P --save ""` as a child process and waits until it answers. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
    { stdio: "ignore" },
  );
  const url = `redis://127.0.0.1:${port}`;
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    const conn = await connectResp(url).catch(() => undefined);
    if (conn) {
      conn.close();
      return { url, child, kill };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await kill();
  throw new Error("private redis-server did not start");
}
