import { readFileSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PUT as putRoute } from "@/app/api/workflows/[id]/route";
import { POST as restoreRoute } from "@/app/api/workflows/[id]/versions/[v]/restore/route";
import { GET as versionRoute } from "@/app/api/workflows/[id]/versions/[v]/route";
import { GET as versionsRoute } from "@/app/api/workflows/[id]/versions/route";
import { POST as createRoute } from "@/app/api/workflows/route";
import { type Database, MIGRATIONS_FOLDER, query, setDatabase } from "@/lib/db/client";
import { executions, workflowVersions } from "@/lib/db/schema";
import { insertWorkflow, tinyWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";
import { pruneVersions } from "./store";

vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
const { saveWorkflowAction, importWorkflowAction, renameWorkflowAction } = await import(
  "@/app/actions/workflows"
);
const { restoreVersionAction } = await import("@/app/actions/versions");

const json = (body: unknown, method = "POST") => ({
  method,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});
const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) }) as never;

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  setDatabase(database);
});
afterAll(async () => {
  setDatabase(undefined);
  await database.close();
});

const versionRows = (workflowId: string) =>
  database.db
    .select()
    .from(workflowVersions)
    .where(eq(workflowVersions.workflowId, workflowId))
    .orderBy(workflowVersions.version);

const withName = (def: WorkflowDefinition, name: string) => ({ ...def, name });

describe("a version on every save path", () => {
  it("create, PUT, builder save with a message, rename, restore; each an immutable row", async () => {
    const created = await createRoute(
      new Request("http://x/api/workflows", json(tinyWorkflow("v1"))),
      ctx({}),
    );
    expect(created.status).toBe(201);
    const { id } = await created.json();

    const put = await putRoute(
      new Request(`http://x/api/workflows/${id}`, json(withName(tinyWorkflow(), "v2"), "PUT")),
      ctx({ id }),
    );
    expect(put.status).toBe(200);
    const saved = await saveWorkflowAction(id, withName(tinyWorkflow(), "v3"), {
      expectedVersion: 2,
      message: "  tweak the doubling  ",
    });
    expect(saved).toMatchObject({ ok: true, version: 3 });
    expect(await renameWorkflowAction(id, "v4")).toMatchObject({ ok: true, version: 4 });

    const restored = await restoreRoute(
      new Request(`http://x/api/workflows/${id}/versions/1/restore`, { method: "POST" }),
      ctx({ id, v: "1" }),
    );
    expect(restored.status).toBe(200);
    expect(await restored.json()).toMatchObject({ version: 5, name: "v1" });

    const rows = await versionRows(id);
    expect(rows.map((r) => [r.version, r.definition.name, r.createdBy, r.message, r.restoredFrom])).toEqual([
      [1, "v1", "api", null, null],
      [2, "v2", "api", null, null],
      [3, "v3", "session", "tweak the doubling", null],
      [4, "v4", "session", 'Renamed to "v4"', null],
      [5, "v1", "api", "Restored version 1", 1],
    ]);
    // The workflow row and its newest version agree.
    const current = await getWorkflowOrThrow(database.db, id);
    expect(current.version).toBe(5);
    expect(current.definition).toEqual(rows[4]!.definition);
    expect(rows[0]!.definition).toEqual(rows[4]!.definition);

    // The restore action (the versions page) makes another version; nothing is deleted.
    expect(await restoreVersionAction(id, 3)).toMatchObject({ ok: true, version: 6 });
    expect((await versionRows(id)).map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await getWorkflowOrThrow(database.db, id)).name).toBe("v3");
  });

  it("import writes version 1 with a message", async () => {
    const form = new FormData();
    form.set("json", JSON.stringify(tinyWorkflow("imported")));
    let id = "";
    try {
      await importWorkflowAction({}, form);
    } catch (err) {
      id = ((err as { digest?: string }).digest ?? "").split(";")[2]!.replace("/workflows/", "");
    }
    expect(id).not.toBe("");
    expect((await versionRows(id)).map((r) => [r.version, r.createdBy, r.message])).toEqual([
      [1, "session", "Imported"],
    ]);
  });

  it("a refused save (invalid, stale) writes no version", async () => {
    const created = await createRoute(
      new Request("http://x/api/workflows", json(tinyWorkflow("keep"))),
      ctx({}),
    );
    const { id } = await created.json();
    const bad = await putRoute(
      new Request(`http://x/api/workflows/${id}`, json({ ...tinyWorkflow(), nodes: [] }, "PUT")),
      ctx({ id }),
    );
    expect(bad.status).toBe(422);
    expect(await saveWorkflowAction(id, tinyWorkflow("x"), { expectedVersion: 7 })).toMatchObject({
      ok: false,
      code: "version_conflict",
    });
    expect((await versionRows(id)).map((r) => r.version)).toEqual([1]);
  });
});

describe("GET versions", () => {
  it("pages newest first and reads one", async () => {
    const { id } = await (
      await createRoute(new Request("http://x/api/workflows", json(tinyWorkflow("p1"))), ctx({}))
    ).json();
    for (let i = 2; i <= 5; i++) {
      await putRoute(
        new Request(`http://x/api/workflows/${id}`, json(tinyWorkflow(`p${i}`), "PUT")),
        ctx({ id }),
      );
    }
    const page1 = await (
      await versionsRoute(new Request(`http://x/api/workflows/${id}/versions?limit=2`), ctx({ id }))
    ).json();
    expect(page1.versions.map((v: { version: number }) => v.version)).toEqual([5, 4]);
    expect(page1.versions[0]).toMatchObject({ current: true, createdBy: "api", nodeCount: 3 });
    expect(page1.next).toBe(4);
    const page2 = await (
      await versionsRoute(new Request(`http://x/api/workflows/${id}/versions?limit=2&before=4`), ctx({ id }))
    ).json();
    expect(page2.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    const page3 = await (
      await versionsRoute(new Request(`http://x/api/workflows/${id}/versions?limit=2&before=2`), ctx({ id }))
    ).json();
    expect(page3).toMatchObject({ versions: [{ version: 1 }], next: null });

    const one = await versionRoute(
      new Request(`http://x/api/workflows/${id}/versions/2`),
      ctx({ id, v: "2" }),
    );
    expect(await one.json()).toMatchObject({ version: 2, current: false, definition: { name: "p2" } });
  });

  it("a workflow stored without version rows still shows its current version", async () => {
    const id = await insertWorkflow(database.db, tinyWorkflow("legacy"));
    const list = await (
      await versionsRoute(new Request(`http://x/api/workflows/${id}/versions`), ctx({ id }))
    ).json();
    expect(list.versions).toMatchObject([{ version: 1, current: true }]);
    const one = await versionRoute(
      new Request(`http://x/api/workflows/${id}/versions/1`),
      ctx({ id, v: "1" }),
    );
    expect(await one.json()).toMatchObject({ definition: { name: "legacy" } });
  });

  it.each([
    [
      "versions of an unknown workflow",
      () => versionsRoute(new Request("http://x/api/workflows/nope/versions"), ctx({ id: "nope" })),
      404,
      undefined,
    ],
    [
      "limit=0",
      (id: string) =>
        versionsRoute(new Request(`http://x/api/workflows/${id}/versions?limit=0`), ctx({ id })),
      400,
      "limit",
    ],
    [
      "before=abc",
      (id: string) =>
        versionsRoute(new Request(`http://x/api/workflows/${id}/versions?before=abc`), ctx({ id })),
      400,
      "before",
    ],
    [
      "an unknown version",
      (id: string) => versionRoute(new Request("http://x"), ctx({ id, v: "99" })),
      404,
      "version",
    ],
    [
      "version abc",
      (id: string) => versionRoute(new Request("http://x"), ctx({ id, v: "abc" })),
      400,
      "version",
    ],
    ["version 0", (id: string) => versionRoute(new Request("http://x"), ctx({ id, v: "0" })), 400, "version"],
    [
      "restore of an unknown version",
      (id: string) => restoreRoute(new Request("http://x", { method: "POST" }), ctx({ id, v: "42" })),
      404,
      "version",
    ],
    [
      "restore of version -1",
      (id: string) => restoreRoute(new Request("http://x", { method: "POST" }), ctx({ id, v: "-1" })),
      400,
      "version",
    ],
  ])("%s → %i naming the field, nothing changes", async (_, call, status, field) => {
    const { id } = await (
      await createRoute(new Request("http://x/api/workflows", json(tinyWorkflow("bad"))), ctx({}))
    ).json();
    const res = await call(id);
    expect(res.status).toBe(status);
    const body = await res.json();
    if (field) {
      expect(body.error.message.startsWith(`${field}:`) || body.error.issues?.[0]?.path === field).toBe(true);
    }
    expect((await versionRows(id)).map((r) => r.version)).toEqual([1]);
    expect((await getWorkflowOrThrow(database.db, id)).version).toBe(1);
  });
});

describe("retention", () => {
  it("prunes old versions no execution ran, keeps referenced ones", async () => {
    const { id } = await (
      await createRoute(new Request("http://x/api/workflows", json(tinyWorkflow("r1"))), ctx({}))
    ).json();
    for (let i = 2; i <= 5; i++) {
      await putRoute(
        new Request(`http://x/api/workflows/${id}`, json(tinyWorkflow(`r${i}`), "PUT")),
        ctx({ id }),
      );
    }
    await database.db.insert(executions).values({
      id: `pin-${id}`,
      workflowId: id,
      workflowVersion: 2,
      status: "succeeded",
      mode: "immediate",
      definition: tinyWorkflow("r2"),
    });
    expect(await pruneVersions(database.db, id, 5)).toBe(3);
    expect((await versionRows(id)).map((r) => r.version)).toEqual([2, 5]);
  });
});

describe("the backfill migration", () => {
  it("gives a workflow with no version row one for its current version, and is idempotent", async () => {
    const id = await insertWorkflow(database.db, tinyWorkflow("before history"));
    await database.db.execute(sql`update workflows set version = 7 where id = ${id}`);
    const file = readFileSync(path.join(MIGRATIONS_FOLDER, "0007_versions_backfill.sql"), "utf8");
    await database.db.execute(sql.raw(file));
    await database.db.execute(sql.raw(file));
    const rows = await query<{ version: number; created_by: string }>(
      database.db,
      sql`select version, created_by from workflow_versions where workflow_id = ${id}`,
    );
    expect(rows).toEqual([{ version: 7, created_by: "migration" }]);
    const [{ n }] = (await query<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from workflow_versions v where not exists (select 1 from workflows w where w.id = v.workflow_id and w.version >= v.version)`,
    )) as [{ n: number }];
    expect(n).toBe(0);
  });
});
