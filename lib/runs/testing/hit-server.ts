import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server that counts hits per path; `/slow/<ms>/...` answers after `ms`, and
 * `/fail-once/...` answers 500 to its first hit.
 */
export interface HitServer {
  url: string;
  hits: Map<string, number>;
  count(path: string): number;
  close(): Promise<void>;
}

/** Starts the hit-counting server on 127.0.0.1, port 0. */
export async function startHitServer(): Promise<HitServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const slow = /^\/slow\/(\d+)\//.exec(path);
    const answer = () => {
      const status = path.startsWith("/fail-once/") && hits.get(path) === 1 ? 500 : 200;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ path, n: hits.get(path) }));
    };
    if (slow) setTimeout(answer, Number(slow[1]));
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    count: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
