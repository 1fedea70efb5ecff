import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import type { NodeCheckpoint } from "@/lib/engine/ports";
import { createMemoryJournal } from "@/lib/engine/testing/memory-journal";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import { createPostgresJournal } from "./postgres-journal";
import { insertWorkflow, tinyWorkflow } from "./testing/fixtures";
import { describeJournalConformance } from "./testing/journal-conformance";

describeJournalConformance("memory", async () => {
  const store = new Map<string, Map<string, NodeCheckpoint>>();
  return {
    capsOutputs: false,
    async execution() {
      const id = randomUUID();
      store.set(id, new Map());
      return id;
    },
    async open(id) {
      const journal = createMemoryJournal(Object.fromEntries(store.get(id) ?? []));
      store.set(id, journal.checkpoints);
      return { journal, settle: async () => {}, fenced: () => false };
    },
    async close() {},
  };
});

describeJournalConformance(`Postgres (${testDbKind})`, async () => {
  const database: Database = await createTestDatabase();
  const { db } = database;
  const workflowId = await insertWorkflow(db, tinyWorkflow());
  return {
    capsOutputs: true,
    async execution() {
      const id = randomUUID();
      await db.insert(executions).values({
        id,
        workflowId,
        workflowVersion: 1,
        status: "running",
        mode: "queued",
        definition: tinyWorkflow(),
        fence: 1,
        claims: 1,
      });
      return id;
    },
    async open(id) {
      const [row] = await db
        .select({ fence: executions.fence })
        .from(executions)
        .where(eq(executions.id, id));
      const journal = createPostgresJournal(db, id, row!.fence);
      return { journal, settle: () => journal.sync(), fenced: () => journal.fenced };
    },
    async reclaim(id) {
      await db
        .update(executions)
        .set({ fence: sql`${executions.fence} + 1`, claims: sql`${executions.claims} + 1` })
        .where(eq(executions.id, id));
    },
    close: () => database.close(),
  };
});
