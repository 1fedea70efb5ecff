import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as cronRoute } from "@/app/api/cron/drain/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { executions, schedules } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createWorkflow, updateWorkflow } from "@/lib/workflow-store/service";
import { drainQueue } from "./drain";
import { runDrainLoop } from "./drain-loop";
import { fireDueSchedules } from "./schedules";
import { waitForStatus } from "./testing/fixtures";

/** `every` runs on a schedule and echoes its slot; `manual` has none. */
function scheduled(cron: string | undefined, timezone?: string): WorkflowDefinition {
  return {
    version: 1,
    name: "scheduled",
    nodes: [
      {
        id: "every",
        type: "trigger",
        config: cron ? { schedule: { cron, ...(timezone ? { timezone } : {}) } } : {},
      },
      { id: "slot", type: "transform", config: { expression: "inputs.scheduledAt" } },
      { id: "out", type: "output", config: {} },
      { id: "manual", type: "trigger", config: {} },
    ],
    edges: [
      { source: "every", target: "slot" },
      { source: "slot", target: "out" },
    ],
  };
}

describe("scheduled triggers", () => {
  let database: Database;
  beforeAll(async () => {
    process.env.CRON_SECRET = "schedules-test-cron";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    delete process.env.CRON_SECRET;
    resetEnv();
    await drainQueue(database, { budgetMs: 5000 });
    setDatabase(undefined);
    await database?.close();
  });

  const rowsOf = (workflowId: string) =>
    database.db.select().from(schedules).where(eq(schedules.workflowId, workflowId));
  const makeDue = (workflowId: string, at: Date) =>
    database.db.update(schedules).set({ nextRunAt: at }).where(eq(schedules.workflowId, workflowId));
  const runsOf = (workflowId: string) =>
    database.db.select().from(executions).where(eq(executions.workflowId, workflowId));

  it("keeps the schedule table in step with saves, without shifting an unchanged slot", async () => {
    const before = Date.now();
    const { id } = await createWorkflow(database.db, scheduled("*/5 * * * *"));
    const [row] = await rowsOf(id);
    expect(row).toMatchObject({ triggerId: "every", cron: "*/5 * * * *", timezone: null });
    expect(row!.nextRunAt.getTime()).toBeGreaterThan(before);
    expect(row!.nextRunAt.getUTCMinutes() % 5).toBe(0);

    await makeDue(id, new Date("2030-01-01T00:00:00Z"));
    await updateWorkflow(database.db, id, { ...scheduled("*/5 * * * *"), name: "renamed" });
    expect((await rowsOf(id))[0]?.nextRunAt.toISOString()).toBe("2030-01-01T00:00:00.000Z");

    await updateWorkflow(database.db, id, scheduled("0 9 * * 1", "Europe/Paris"));
    const [changed] = await rowsOf(id);
    expect(changed).toMatchObject({ cron: "0 9 * * 1", timezone: "Europe/Paris" });
    expect(changed!.nextRunAt.getUTCDay()).toBe(1);
    expect([7, 8]).toContain(changed!.nextRunAt.getUTCHours()); // 09:00 in Paris, summer or winter

    await updateWorkflow(database.db, id, scheduled(undefined));
    expect(await rowsOf(id)).toEqual([]);
  });

  it("starts one queued run per due slot with the slot as input, then moves to the next slot", async () => {
    // A minute boundary in the middle would make the next slot due already: start clear of one.
    const toBoundary = 60_000 - (Date.now() % 60_000);
    if (toBoundary < 5_000) await new Promise((r) => setTimeout(r, toBoundary + 50));
    const { id } = await createWorkflow(database.db, scheduled("* * * * *"));
    const slot = new Date(Date.now() - 90_000);
    slot.setUTCSeconds(0, 0);
    await makeDue(id, slot);

    expect(await fireDueSchedules(database)).toBeGreaterThanOrEqual(1);
    const [run] = await runsOf(id);
    // Queued; the enqueue's own kick may have started it already.
    expect(run?.status).toMatch(/^(queued|running|succeeded)$/);
    expect(run).toMatchObject({
      mode: "queued",
      triggerId: "every",
      tags: ["schedule"],
      inputs: { scheduledAt: slot.toISOString() },
    });
    const [moved] = await rowsOf(id);
    expect(moved!.nextRunAt.getTime()).toBeGreaterThan(Date.now());

    // Not due any more: nothing new.
    await fireDueSchedules(database);
    expect(await runsOf(id)).toHaveLength(1);

    await drainQueue(database, { budgetMs: 5000 });
    const done = await waitForStatus(database.db, run!.id);
    expect(done.status).toBe("succeeded");
    expect(done.outputs).toEqual({ out: slot.toISOString() });
  });

  it("starts a slot once when 8 drainers fire at the same moment", async () => {
    const { id } = await createWorkflow(database.db, scheduled("* * * * *"));
    await makeDue(id, new Date(Date.now() - 1000));
    const counts = await Promise.all(Array.from({ length: 8 }, () => fireDueSchedules(database)));
    expect(await runsOf(id)).toHaveLength(1);
    const [row] = await query<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from schedules where workflow_id = ${id} and next_run_at > now()`,
    );
    expect(row?.n).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it("the cron drain route starts due slots and runs them", async () => {
    const { id } = await createWorkflow(database.db, scheduled("* * * * *"));
    await makeDue(id, new Date(Date.now() - 1000));
    const res = await cronRoute(
      new Request("http://localhost/api/cron/drain", {
        headers: { authorization: "Bearer schedules-test-cron" },
      }),
      undefined,
    );
    expect(res.status).toBe(200);
    const [run] = await runsOf(id);
    expect((await waitForStatus(database.db, run!.id)).status).toBe("succeeded");
  });

  it("a long-running drain loop (worker, embedded) starts due slots on its poll", async () => {
    const { id } = await createWorkflow(database.db, scheduled("* * * * *"));
    const stop = new AbortController();
    const loop = runDrainLoop(database, { stopSignal: stop.signal, pollMs: 50 });
    try {
      await makeDue(id, new Date(Date.now() - 1000));
      let runs: Awaited<ReturnType<typeof runsOf>> = [];
      for (let i = 0; i < 200 && runs.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        runs = await runsOf(id);
      }
      expect(runs).toHaveLength(1);
      expect((await waitForStatus(database.db, runs[0]!.id)).status).toBe("succeeded");
    } finally {
      stop.abort();
      await loop;
    }
  });

  it.each([
    ["six fields", { cron: "* * * * * *" }, "nodes[0].config.schedule.cron"],
    ["nonsense", { cron: "every day" }, "nodes[0].config.schedule.cron"],
    ["an hour of 25", { cron: "0 25 * * *" }, "nodes[0].config.schedule.cron"],
    [
      "an unknown time zone",
      { cron: "0 9 * * *", timezone: "Mars/Olympus" },
      "nodes[0].config.schedule.timezone",
    ],
    ["an extra field", { cron: "0 9 * * *", every: "day" }, "nodes[0].config.schedule.every"],
  ])("refuses a schedule with %s, naming the path, and stores nothing", async (_label, schedule, path) => {
    const definition = scheduled(undefined);
    definition.nodes[0] = { id: "every", type: "trigger", config: { schedule } as never };
    const [before] = await query<{ n: number }>(database.db, sql`select count(*)::int as n from schedules`);
    await expect(createWorkflow(database.db, definition)).rejects.toMatchObject({
      status: 422,
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    const [after] = await query<{ n: number }>(database.db, sql`select count(*)::int as n from schedules`);
    expect(after?.n).toBe(before?.n);
  });
});
