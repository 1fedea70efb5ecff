import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineEvent } from "@/lib/contract/events";
import type { Database } from "@/lib/db/client";
import { executions } from "@/lib/db/schema";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { createEventWriter, readEvents } from "./store";
import { seedExecution } from "./testing/seed";

const log = (message: string): EngineEvent => ({
  type: "log",
  at: new Date().toISOString(),
  level: "info",
  message,
});

const postgresUp = await postgresAvailable();
const kinds = postgresUp ? (["pglite", "postgres"] as const) : (["pglite"] as const);

describe.each(kinds)("event store on %s", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("numbers events 1, 2, 3… in emit order, stores the payload without its type", async () => {
    const id = await seedExecution(database.db);
    const writer = createEventWriter(database, id);
    for (let i = 0; i < 1200; i++) writer.emit(log(`m${i}`));
    writer.emit({
      type: "node",
      nodeId: "a",
      status: "succeeded",
      attempt: 1,
      at: "2024-01-01T00:00:00.000Z",
      output: { x: 1 },
    });
    await writer.flush();
    const rows = [
      ...(await readEvents(database.db, id, 0, 1000)),
      ...(await readEvents(database.db, id, 1000, 1000)),
    ];
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 1201 }, (_, i) => i + 1));
    expect(rows.slice(0, 1200).map((r) => r.payload.message)).toEqual(
      Array.from({ length: 1200 }, (_, i) => `m${i}`),
    );
    expect(rows[1200]).toEqual({
      seq: 1201,
      type: "node",
      payload: {
        nodeId: "a",
        status: "succeeded",
        attempt: 1,
        at: "2024-01-01T00:00:00.000Z",
        output: { x: 1 },
      },
    });
    const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(row?.eventSeq).toBe(1201);
    expect(writer.fenced).toBe(false);
  });

  it("two writers on one execution never collide and leave no gap", async () => {
    const id = await seedExecution(database.db);
    const w1 = createEventWriter(database, id);
    const w2 = createEventWriter(database, id, { fence: 1 });
    for (let i = 0; i < 50; i++) {
      w1.emit(log(`one ${i}`));
      w2.emit(log(`two ${i}`));
    }
    await Promise.all([w1.flush(), w2.flush()]);
    const rows = await readEvents(database.db, id, 0);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const ones = rows.map((r) => String(r.payload.message)).filter((m) => m.startsWith("one"));
    expect(ones).toEqual(Array.from({ length: 50 }, (_, i) => `one ${i}`));
  });

  it("a stale writer (fence changed) writes nothing and turns fenced", async () => {
    const id = await seedExecution(database.db, { fence: 3 });
    const current = createEventWriter(database, id, { fence: 3 });
    const stale = createEventWriter(database, id, { fence: 2 });
    current.emit(log("current"));
    stale.emit(log("stale"));
    await Promise.all([current.flush(), stale.flush()]);
    expect(stale.fenced).toBe(true);
    stale.emit(log("stale again"));
    await stale.flush();
    const rows = await readEvents(database.db, id, 0);
    expect(rows.map((r) => r.payload.message)).toEqual(["current"]);
    const [row] = await database.db.select().from(executions).where(eq(executions.id, id));
    expect(row?.eventSeq).toBe(1);
  });

  it("stores what JSON and jsonb cannot hold as is without throwing", async () => {
    const id = await seedExecution(database.db);
    const writer = createEventWriter(database, id);
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    expect(() =>
      writer.emit({ type: "node", nodeId: "a", status: "succeeded", attempt: 1, at: "t", output: cyclic }),
    ).not.toThrow();
    writer.emit(log("nul\u0000char \\u0000 kept\u0000\u0000 \\\u0000"));
    await writer.flush();
    const rows = await readEvents(database.db, id, 0);
    expect(rows[0]?.payload.output).toEqual({ n: "1", self: "[circular]" });
    expect(rows[1]?.payload.message).toBe("nul\ufffdchar \\u0000 kept\ufffd\ufffd \\\ufffd");
  });

  it("an unknown execution stores nothing", async () => {
    const writer = createEventWriter(database, "ex_missing");
    writer.emit(log("lost"));
    await writer.flush();
    expect(writer.fenced).toBe(true);
    expect(await readEvents(database.db, "ex_missing", 0)).toEqual([]);
  });
});
