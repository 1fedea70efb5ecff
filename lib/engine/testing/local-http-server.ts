import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server on 127.0.0.1 (port 0) that counts hits per path. */
export interface LocalHttpServer {
  url: string;
  hits(path: string): number;
  totalHits(): number;
  close(): Promise<void>;
}

export type Handler = (
  req: IncomingMessage & { body: string },
  res: ServerResponse,
  hit: number,
) => void | Promise<void>;

/** Starts a server; `handler` gets the request (body read), the response and the hit number for its path. */
export async function startLocalHttpServer(handler: Handler): Promise<LocalHttpServer> {
  const hits = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await handler(Object.assign(req, { body: Buffer.concat(chunks).toString("utf8") }), res, n);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    totalHits: () => [...hits.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
