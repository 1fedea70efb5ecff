import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as getExecutionRoute } from "@/app/api/executions/[id]/route";
import { GET as historyRoute } from "@/app/api/workflows/[id]/executions/route";
import { POST as nodeRunRoute } from "@/app/api/workflows/[id]/nodes/[nodeId]/run/route";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { drainQueue } from "@/lib/runs/drain";
import { insertWorkflow, waitForStatus } from "@/lib/runs/testing/fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

const SECRET = "sk-Inputs-Secret-7f3a91";

const definition: WorkflowDefinition = {
  version: 1,
  name: "secret inputs",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "echo", type: "transform", config: { expression: "inputs" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "echo" },
    { source: "echo", target: "out" },
  ],
};

const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });
const run = (id: string, body: unknown) =>
  runRoute(
    new Request(`http://localhost/api/workflows/${id}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    ctx({ id }),
  );

/** Every text form the secret may take in a dump, compared case-insensitively. */
const leaks = (text: string) => text.toLowerCase().includes(SECRET.toLowerCase());

describe("a secret in a run's inputs, tags and idempotency key", () => {
  let database: Database;
  let workflowId: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    process.env.BRAID_SECRET_INPUT_TOKEN = SECRET;
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, definition);
  });
  afterAll(async () => {
    process.env = saved;
    resetEnv();
    setDatabase(undefined);
    await database?.close();
  });

  /** Everything stored about the workflow's executions, as text. */
  const dump = async () => {
    const rows = await query<{ t: string }>(
      database.db,
      sql`select coalesce((select json_agg(e)::text from executions e), '') ||
                 coalesce((select json_agg(n)::text from node_runs n), '') ||
                 coalesce((select json_agg(v)::text from execution_events v), '') as t`,
    );
    return rows[0]?.t ?? "";
  };

  it.each(["immediate", "queued"] as const)(
    "is redacted everywhere it is stored or shown (%s)",
    async (mode) => {
      const key = `retry-${mode}-${SECRET}`;
      const body = {
        mode,
        inputs: { auth: `Bearer ${SECRET}`, host: SECRET.toUpperCase() },
        tags: [`tag-${SECRET}`],
        idempotencyKey: key,
      };
      const res = await run(workflowId, body);
      expect([200, 202]).toContain(res.status);
      const answer = await res.text();
      expect(leaks(answer)).toBe(false);
      const { executionId } = JSON.parse(answer) as { executionId: string };
      if (mode === "queued") await drainQueue(database, { budgetMs: 10_000 });
      expect((await waitForStatus(database.db, executionId)).status).toBe("succeeded");

      const detail = await (
        await getExecutionRoute(new Request("http://x"), ctx({ id: executionId }))
      ).text();
      expect(leaks(detail)).toBe(false);
      expect(detail).toContain("[REDACTED]");
      const history = await (
        await historyRoute(
          new Request(`http://x/api/workflows/${workflowId}/executions`),
          ctx({ id: workflowId }),
        )
      ).text();
      expect(leaks(history)).toBe(false);
      expect(leaks(await dump())).toBe(false);

      // The same key again is the same execution: the lookup works without storing the secret.
      const again = (await (await run(workflowId, body)).json()) as {
        executionId: string;
        deduplicated?: boolean;
      };
      expect(again).toMatchObject({ executionId, deduplicated: true });
      const found = (await (
        await historyRoute(
          new Request(
            `http://x/api/workflows/${workflowId}/executions?idempotencyKey=${encodeURIComponent(key)}`,
          ),
          ctx({ id: workflowId }),
        )
      ).json()) as { executions: Array<{ id: string }> };
      expect(found.executions.map((e) => e.id)).toEqual([executionId]);
      // Another key holding the secret is another execution, not a collision on "[REDACTED]".
      const other = (await (
        await run(workflowId, { ...body, idempotencyKey: `other-${mode}-${SECRET}` })
      ).json()) as {
        executionId: string;
      };
      expect(other.executionId).not.toBe(executionId);
      if (mode === "queued") await drainQueue(database, { budgetMs: 10_000 });
      await waitForStatus(database.db, other.executionId);
    },
  );

  it("is redacted in a single-node run's input and inputs, stored and shown", async () => {
    const res = await nodeRunRoute(
      new Request(`http://localhost/api/workflows/${workflowId}/nodes/echo/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          input: { auth: `Bearer ${SECRET}` },
          inputs: { host: SECRET.toUpperCase(), plain: "kept" },
        }),
      }),
      ctx({ id: workflowId, nodeId: "echo" }),
    );
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(leaks(answer)).toBe(false);
    const { executionId, output } = JSON.parse(answer) as { executionId: string; output: unknown };
    // The node saw what is stored: the redacted inputs.
    expect(output).toEqual({ host: "[REDACTED]", plain: "kept" });
    const detail = await (await getExecutionRoute(new Request("http://x"), ctx({ id: executionId }))).text();
    expect(leaks(detail)).toBe(false);
    expect(detail).toContain("[REDACTED]");
    const [row] = await query<{ inputs: string; input: string }>(
      database.db,
      sql`select e.inputs::text as inputs, n.input::text as input
        from executions e join node_runs n on n.execution_id = e.id where e.id = ${executionId}`,
    );
    expect(row?.inputs).toContain("kept");
    expect(row?.input).toContain("[REDACTED]");
    expect(leaks(await dump())).toBe(false);
  });
});
