import "server-only";
import type { Database } from "@/lib/db/client";
import { retryOnConnectionError } from "@/lib/db/connection-errors";
import { type Settlement, settleExecution } from "@/lib/queue/settle-execution";

/** How long a deferred settle waits for its parent's before it is written on its own. */
const DEFER_MS = 20;

/**
 * The settles of children a parent's runner ran inline, held back so they go out in the same
 * statement as the parent's own settle (`settleExecution`'s group commit takes settles issued in
 * one turn together): an inline sub-workflow then costs its parent no commit of its own. A settle
 * the parent does not pick up within DEFER_MS (the parent still runs other nodes) is written on
 * its own, so a finished child never shows `running` for long.
 *
 * The parent already holds the child's outcome in memory. A crash before the settle is written
 * leaves the child `running` with a lease: it is recovered like any crashed run, and its parent,
 * recovered too, finds it and waits for it.
 */
export interface DeferredSettles {
  /** Holds a child's settle; `done` is told how its write went. */
  add(settlement: Settlement, done: (err?: unknown) => void): void;
  /** Issues every held settle now (call right before the parent's own settle, in the same turn). */
  flush(): void;
  /** Resolves once every settle issued so far is written (or has failed and been logged). */
  written(): Promise<void>;
}

export function createDeferredSettles(database: Database): DeferredSettles {
  let held: { settlement: Settlement; done: (err?: unknown) => void }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const writes: Promise<void>[] = [];
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = held;
    held = [];
    for (const { settlement, done } of batch)
      writes.push(
        retryOnConnectionError(() => settleExecution(database.db, settlement), {
          what: `settling child execution ${settlement.id}`,
        }).then(
          () => done(),
          (err: unknown) => {
            done(err);
            console.error(`settling child execution ${settlement.id} failed:`, err);
          },
        ),
      );
  };
  return {
    add(settlement, done) {
      held.push({ settlement, done });
      timer ??= setTimeout(flush, DEFER_MS);
    },
    flush,
    async written() {
      await Promise.all(writes);
    },
  };
}
