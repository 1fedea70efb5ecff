import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy in front of a real Postgres that can fail connections the way a restarting server
 * does, for tests of what the driver does then. `dropAll()` closes every open connection (a
 * restart); `failTypeQueries(n)` answers the next `n` connections that send postgres.js's opening
 * array-types query (`pg_catalog.pg_type`) with the FATAL 57P01 a shutting-down server sends,
 * then closes them.
 */
export interface FaultProxy {
  /** The database URL, pointed at the proxy. */
  url: string;
  dropAll(): void;
  failTypeQueries(n: number): void;
  /** How many type queries were failed so far. */
  readonly failed: number;
  close(): Promise<void>;
}

/** FATAL 57P01 as a server shutting down sends it (an ErrorResponse message). */
function adminShutdown(): Buffer {
  const fields = Buffer.from(
    "SFATAL\0VFATAL\0C57P01\0Mterminating connection due to administrator command\0\0",
    "latin1",
  );
  const head = Buffer.alloc(5);
  head[0] = 0x45; // 'E'
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const clients = new Set<Socket>();
  let toFail = 0;
  let failed = 0;
  const server: Server = createServer((client) => {
    clients.add(client);
    const up = tcpConnect(Number(upstream.port || 5432), upstream.hostname);
    client.on("data", (chunk) => {
      if (toFail > 0 && chunk.includes("pg_catalog.pg_type")) {
        toFail--;
        failed++;
        client.end(adminShutdown());
        up.destroy();
        return;
      }
      up.write(chunk);
    });
    up.on("data", (chunk) => client.write(chunk));
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
    up.on("close", () => client.end());
    client.on("close", () => {
      up.destroy();
      clients.delete(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(target);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as { port: number }).port);
  return {
    url: proxied.toString(),
    dropAll() {
      for (const c of clients) c.end();
    },
    failTypeQueries(n) {
      toFail = n;
    },
    get failed() {
      return failed;
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
