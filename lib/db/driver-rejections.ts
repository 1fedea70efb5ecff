import { isConnectionError } from "./connection-errors";

let installed = false;

/**
 * Keeps a long-running process (the worker) alive through a known postgres.js defect: each new
 * connection opens with a catalog query for array types whose promise the driver drops
 * (porsager/postgres#1192, #1223, open in 3.4.9). When the server ends the connection at that
 * moment, as a restart does, the error surfaces as an unhandled rejection, and Node ends the
 * process on one. Nothing of ours waits on that query (the statement that opened the connection
 * fails on its own and is retried), so an unhandled lost-connection error is logged and the
 * process goes on. Any other unhandled rejection is thrown again and still ends the process, as
 * Node's default does.
 */
export function installDriverRejectionGuard(): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => {
    if (!isConnectionError(reason)) throw reason;
    const { code, message } = reason as { code?: unknown; message?: unknown };
    console.warn(
      `database connection ended as it opened (${String(code ?? "")} ${String(message ?? "").split("\n")[0]}); the driver reconnects`,
    );
  });
}
