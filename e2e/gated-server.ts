import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server on 127.0.0.1 that holds every request until `release()`, so a test can look
 * at a run while a node is still running. `waitForRequest()` resolves once a request is held.
 */
export async function startGatedServer() {
  const held: ServerResponse[] = [];
  let released = false;
  let onRequest: (() => void) | undefined;
  const answer = (res: ServerResponse) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  };
  const server = createServer((_req, res) => {
    if (released) return answer(res);
    held.push(res);
    onRequest?.();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    waitForRequest: () =>
      new Promise<void>((resolve) => {
        if (held.some((r) => !r.destroyed)) return resolve();
        onRequest = resolve;
      }),
    release() {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
