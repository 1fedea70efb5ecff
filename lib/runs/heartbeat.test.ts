import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, query } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import { claimExecutions } from "@/lib/queue/claim-executions";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { startHeartbeat } from "./heartbeat";

const definition: WorkflowDefinition = {
  version: 1,
  name: "hb",
  nodes: [{ id: "t", type: "trigger", config: {} }],
  edges: [],
};
const postgresUp = await postgresAvailable();
const base = { workflowId: "w", workflowVersion: 1, mode: "queued", definition };

/** A synchronous busy-wait: the main event loop runs nothing else meanwhile (user work gone wild). */
function blockMainLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // spin
  }
}

const waitFor = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.skipIf(!postgresUp)("the lease heartbeat on Postgres runs off the main event loop", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    await database.db.insert(workflows).values({ id: "w", name: "hb", definition });
    // Every lease renewal, with the database's clock, so the test sees when each one happened.
    await database.db.execute(
      sql`create table lease_log (id text, fence int, expires timestamptz, at timestamptz)`,
    );
    await database.db.execute(sql`create function log_lease() returns trigger language plpgsql as $$
      begin
        if new.lease_expires_at is distinct from old.lease_expires_at and new.lease_expires_at is not null then
          insert into lease_log values (new.id, new.fence, new.lease_expires_at, clock_timestamp());
        end if;
        return new;
      end $$`);
    await database.db.execute(
      sql`create trigger lease_log after update on executions for each row execute function log_lease()`,
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  const claim = async (id: string, leaseMs: number) => {
    await database.db.insert(executions).values({ ...base, id, status: "queued" });
    const [claimed] = await claimExecutions(database.db, { owner: "runner-a", limit: 1, leaseMs });
    expect(claimed?.id).toBe(id);
    return claimed!;
  };
  const dbNow = async () =>
    (await query<{ t: string }>(database.db, sql`select clock_timestamp()::text as t`))[0]!.t;

  it("renews the lease while the main loop is blocked 3 s (lease 1 s): no other runner re-claims", async () => {
    const claimed = await claim("blocked", 1000);
    let lost = false;
    const heartbeat = startHeartbeat(database, {
      id: claimed.id,
      fence: claimed.fence,
      leaseMs: 1000,
      intervalMs: 200,
      onLost: () => {
        lost = true;
      },
    });
    try {
      // Let the thread start and beat once, then block.
      await new Promise((r) => setTimeout(r, 600));
      const blockStart = await dbNow();
      blockMainLoop(3000);
      const blockEnd = await dbNow();
      // Another runner tries at once: the lease is still held, nothing is claimed.
      expect(await claimExecutions(database.db, { owner: "runner-b", limit: 1, leaseMs: 60_000 })).toEqual(
        [],
      );
      // The renewals made while the loop was blocked, by the database's clock.
      const [during] = await query<{ n: number; latest: string }>(
        database.db,
        sql`select count(*)::int as n, max(expires)::text as latest from lease_log
          where id = 'blocked' and at > ${blockStart}::timestamptz + interval '500 milliseconds'
            and at < ${blockEnd}::timestamptz`,
      );
      expect(during?.n).toBeGreaterThanOrEqual(5);
      const [row] = await query<{ owner: string; fence: number; held: boolean }>(
        database.db,
        sql`select lease_owner as owner, fence, lease_expires_at > ${blockEnd}::timestamptz as held
          from executions where id = 'blocked'`,
      );
      expect(row).toEqual({ owner: "runner-a", fence: claimed.fence, held: true });
      expect(lost).toBe(false);
    } finally {
      await heartbeat.stop();
    }
  });

  it("keeps fencing exact: a beat after another claim reports the lease lost and renews nothing", async () => {
    const claimed = await claim("fenced", 60_000);
    let lost = false;
    const heartbeat = startHeartbeat(database, {
      id: claimed.id,
      fence: claimed.fence,
      leaseMs: 60_000,
      intervalMs: 50,
      onLost: () => {
        lost = true;
      },
    });
    try {
      await database.db.execute(
        sql`update executions set fence = fence + 1, lease_owner = 'runner-b' where id = 'fenced'`,
      );
      await waitFor(() => lost, "onLost");
      const [row] = await query<{ owner: string }>(
        database.db,
        sql`select lease_owner as owner from executions where id = 'fenced'`,
      );
      expect(row?.owner).toBe("runner-b");
    } finally {
      await heartbeat.stop();
    }
  });

  it("hands a requested cancel to the runner, and stop() ends the beats", async () => {
    const claimed = await claim("controlled", 60_000);
    const controls: Array<string | null> = [];
    const heartbeat = startHeartbeat(database, {
      id: claimed.id,
      fence: claimed.fence,
      leaseMs: 60_000,
      intervalMs: 50,
      onLost: () => {},
      onControl: (c) => controls.push(c),
    });
    await database.db.execute(sql`update executions set control = 'cancel' where id = 'controlled'`);
    await waitFor(() => controls.includes("cancel"), "the cancel");
    await heartbeat.stop();
    const count = async () =>
      (
        await query<{ n: number }>(
          database.db,
          sql`select count(*)::int as n from lease_log where id = 'controlled'`,
        )
      )[0]?.n;
    const after = await count();
    await new Promise((r) => setTimeout(r, 300));
    expect(await count()).toBe(after);
  });

  it("stops renewing when the main loop has shown no sign of life for maxStallMs", async () => {
    const claimed = await claim("stuck", 500);
    const heartbeat = startHeartbeat(database, {
      id: claimed.id,
      fence: claimed.fence,
      leaseMs: 500,
      intervalMs: 100,
      maxStallMs: 1000,
      onLost: () => {},
    });
    try {
      await new Promise((r) => setTimeout(r, 400));
      blockMainLoop(2500);
      // The lease lapsed during the block: another runner may take the execution over.
      const taken = await claimExecutions(database.db, { owner: "runner-b", limit: 10, leaseMs: 60_000 });
      expect(taken.map((t) => t.id)).toContain("stuck");
    } finally {
      await heartbeat.stop();
    }
  });
});
