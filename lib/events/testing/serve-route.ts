import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type EventsHandler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

/**
 * Serves the events route handler over real HTTP on 127.0.0.1 (tests and benchmarks): a client that
 * disconnects aborts the request's signal, as in Next.js. Returns the base URL and a close function.
 */
export async function serveEventsRoute(
  handler: EventsHandler,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    const match = /^\/api\/executions\/([^/?]+)\/events/.exec(req.url ?? "");
    if (!match?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === "string") headers.set(name, value);
    const request = new Request(`http://127.0.0.1${req.url}`, { headers, signal: controller.signal });
    const response = await handler(request, {
      params: Promise.resolve({ id: decodeURIComponent(match[1]) }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.flushHeaders();
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    res.on("close", () => void reader.cancel().catch(() => {}));
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        res.write(value);
      }
    } catch {
      // the client went away
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
