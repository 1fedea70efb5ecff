import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as ownerEvents } from "@/app/api/executions/[id]/events/route";
import { GET as sharedEvents } from "@/app/api/share/[token]/events/route";
import { GET as sharedJson } from "@/app/api/share/[token]/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { resetEnv } from "@/lib/env";
import { eventStreamTiming } from "@/lib/events/stream";
import { readSse, type SseFrame } from "@/lib/events/testing/sse";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { controlExecution } from "./controls";
import { drainQueue } from "./drain";
import { revokeShare, shareExecution } from "./shares";
import { startRun } from "./start-run";
import { insertWorkflow, waitForStatus } from "./testing/fixtures";

/**
 * A server credential the run echoes into its outputs. Stored events keep it (only configured
 * secrets are redacted at store time), so only the share link's own redaction can hide it.
 */
const CANARY = "share-cron-canary-5e2b91";

/** trigger → delay (the stream opens while it waits) → transform echoing the input → output. */
const echo: WorkflowDefinition = {
  version: 1,
  name: "echo",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "wait", type: "delay", config: { ms: 1500 } },
    { id: "say", type: "transform", config: { expression: '"key=" & inputs.key' } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "wait" },
    { source: "wait", target: "say" },
    { source: "say", target: "out" },
  ],
};

const ctx = <T>(params: T) => ({ params: Promise.resolve(params) });

async function collect(res: Response): Promise<SseFrame[]> {
  if (!res.body) throw new Error("no body");
  const frames: SseFrame[] = [];
  for await (const frame of readSse(res.body)) frames.push(frame);
  return frames;
}

describe("share links follow a run live, redacted", () => {
  let database: Database;
  let workflowId: string;
  beforeAll(async () => {
    process.env.CRON_SECRET = CANARY;
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    workflowId = await insertWorkflow(database.db, echo);
  });
  afterAll(async () => {
    delete process.env.CRON_SECRET;
    resetEnv();
    await drainQueue(database, { budgetMs: 5000 });
    setDatabase(undefined);
    await database?.close();
  });

  it("streams every event of a running execution to an anonymous link, with no secret in it", async () => {
    const run = await startRun(database, workflowId, { mode: "queued", inputs: { key: CANARY } });
    const executionId = run.body.executionId;
    const { token } = await shareExecution(database.db, executionId);

    const shared = await sharedEvents(
      new Request(`http://127.0.0.1/api/share/${token}/events`),
      ctx({ token }),
    );
    expect(shared.status).toBe(200);
    expect(shared.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const frames = await collect(shared);
    await waitForStatus(database.db, executionId);

    const snapshot = frames[0];
    expect(snapshot?.event).toBe("snapshot");
    expect(JSON.parse(snapshot?.data ?? "{}").status).not.toBe("succeeded");
    const live = frames.filter((f) => f.event === "node").map((f) => JSON.parse(f.data ?? "{}"));
    expect(live).toContainEqual(expect.objectContaining({ nodeId: "say", status: "succeeded" }));
    const last = frames.filter((f) => f.event).at(-1);
    expect(last?.event).toBe("execution");
    expect(JSON.parse(last?.data ?? "{}")).toMatchObject({
      status: "succeeded",
      outputs: { out: "key=[REDACTED]" },
    });
    const text = JSON.stringify(frames);
    expect(text).not.toContain(CANARY);
    expect(text).toContain("[REDACTED]");

    // The owner's stream of the same execution does carry it: the redaction above is the link's own.
    const owner = await collect(
      await ownerEvents(
        new Request(`http://127.0.0.1/api/executions/${executionId}/events`),
        ctx({ id: executionId }),
      ),
    );
    expect(JSON.stringify(owner)).toContain(CANARY);

    const json = await sharedJson(new Request(`http://127.0.0.1/api/share/${token}`), ctx({ token }));
    expect(json.status).toBe(200);
    const body = await json.text();
    expect(body).not.toContain(CANARY);
    expect(JSON.parse(body)).toMatchObject({ id: executionId, status: "succeeded" });
  });

  it("ends an open stream at its next heartbeat once the link is revoked", async () => {
    const saved = { ...eventStreamTiming };
    Object.assign(eventStreamTiming, { heartbeatMs: 50 });
    const long = await insertWorkflow(database.db, {
      ...echo,
      nodes: echo.nodes.map((n) => (n.id === "wait" ? ({ ...n, config: { ms: 20_000 } } as typeof n) : n)),
    });
    const run = await startRun(database, long, { mode: "queued", inputs: { key: "k" } });
    const executionId = run.body.executionId;
    try {
      const { token } = await shareExecution(database.db, executionId);
      const res = await sharedEvents(
        new Request(`http://127.0.0.1/api/share/${token}/events`),
        ctx({ token }),
      );
      const frames = collect(res);
      await new Promise((r) => setTimeout(r, 200));
      await revokeShare(database.db, executionId);
      const ended = await Promise.race([
        frames.then(() => "ended"),
        new Promise((r) => setTimeout(() => r("still open"), 3_000)),
      ]);
      expect(ended).toBe("ended");
      const [row] = await database.db.select().from(executions).where(eq(executions.id, executionId));
      expect(row?.status).not.toMatch(/succeeded|failed|cancelled/);
    } finally {
      Object.assign(eventStreamTiming, saved);
      await controlExecution(database, executionId, "cancel");
      await waitForStatus(database.db, executionId);
    }
  });

  it("answers 404 for revoked, unknown and malformed tokens", async () => {
    const run = await startRun(database, workflowId, { mode: "queued", inputs: { key: "x" } });
    const { token } = await shareExecution(database.db, run.body.executionId);
    await revokeShare(database.db, run.body.executionId);
    for (const t of [token, "A".repeat(32), "../x", ""]) {
      const res = await sharedEvents(new Request("http://127.0.0.1/api/share/x/events"), ctx({ token: t }));
      expect(res.status, t).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
      expect((await sharedJson(new Request("http://127.0.0.1/api/share/x"), ctx({ token: t }))).status).toBe(
        404,
      );
    }
  });
});
