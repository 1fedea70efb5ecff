import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import type { Database } from "./client";
import { executions, nodeRuns, workflows } from "./schema";

const def = {
  version: 1 as const,
  name: "w",
  nodes: [{ id: "t", type: "trigger" as const, config: {} }],
  edges: [],
};

/** One storage conformance suite, run on every backend. */
const postgresUp = await postgresAvailable();

for (const kind of ["pglite", "postgres"] as const) {
  describe(`storage conformance: ${kind}`, () => {
    const enabled = kind === "pglite" || postgresUp;
    let database: Database;
    beforeAll(async () => {
      if (enabled) database = await createTestDatabase(kind);
    });
    afterAll(async () => {
      await database?.close();
    });

    it.skipIf(!enabled)("stores and reads back a workflow definition unchanged", async () => {
      const { db } = database;
      await db.insert(workflows).values({ id: "w1", name: "w", definition: def });
      const [row] = await db.select().from(workflows).where(eq(workflows.id, "w1"));
      expect(row?.definition).toEqual(def);
      expect(row?.version).toBe(1);
    });

    it.skipIf(!enabled)("enforces one execution per idempotency key and workflow", async () => {
      const { db } = database;
      const base = {
        workflowId: "w1",
        workflowVersion: 1,
        status: "queued",
        mode: "queued",
        definition: def,
      };
      await db.insert(executions).values({ ...base, id: "e1", idempotencyKey: "k" });
      await expect(
        db.insert(executions).values({ ...base, id: "e2", idempotencyKey: "k" }),
      ).rejects.toThrow();
      await db.insert(executions).values({ ...base, id: "e3" });
      await db.insert(executions).values({ ...base, id: "e4" });
      const rows = await db.select().from(executions).where(eq(executions.workflowId, "w1"));
      expect(rows.map((r) => r.id).sort()).toEqual(["e1", "e3", "e4"]);
    });

    it.skipIf(!enabled)("keeps one checkpoint row per execution and node, cascading on delete", async () => {
      const { db } = database;
      await db
        .insert(nodeRuns)
        .values({ executionId: "e1", nodeId: "t", status: "succeeded", output: { a: 1 } });
      await expect(
        db.insert(nodeRuns).values({ executionId: "e1", nodeId: "t", status: "running" }),
      ).rejects.toThrow();
      await db.delete(workflows).where(eq(workflows.id, "w1"));
      expect(await db.select().from(nodeRuns)).toEqual([]);
      expect(await db.select().from(executions)).toEqual([]);
    });
  });
}
