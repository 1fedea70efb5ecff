import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, setDatabase } from "@/lib/db/client";
import { workflows } from "@/lib/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import { getWorkflowOrThrow } from "@/lib/workflow-store/service";

// Outside a Next request there is no cache to revalidate; the actions' results are what is tested.
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

const {
  createWorkflowAction,
  deleteWorkflowAction,
  importWorkflowAction,
  renameWorkflowAction,
  saveWorkflowAction,
} = await import("./workflows");

const valid = {
  version: 1,
  name: "Imported",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "out", type: "output", config: { value: "inputs" } },
  ],
  edges: [{ source: "start", target: "out" }],
};

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}

/** Runs an action that redirects on success and returns the path it redirects to. */
async function redirectOf(run: () => Promise<unknown>): Promise<string> {
  try {
    const result = await run();
    throw new Error(`expected a redirect, got ${JSON.stringify(result)}`);
  } catch (err) {
    const digest = (err as { digest?: string }).digest ?? "";
    if (!digest.startsWith("NEXT_REDIRECT")) throw err;
    return digest.split(";")[2] ?? "";
  }
}

let database: Database;
const countRows = async () => (await database.db.select({ id: workflows.id }).from(workflows)).length;

beforeAll(async () => {
  database = await createTestDatabase();
  setDatabase(database);
});
afterAll(async () => {
  setDatabase(undefined);
  await database.close();
});

describe("createWorkflowAction", () => {
  it("creates a workflow with one trigger and redirects to the builder", async () => {
    const path = await redirectOf(() => createWorkflowAction({}, form({ name: "  My flow " })));
    const id = path.replace("/workflows/", "");
    const record = await getWorkflowOrThrow(database.db, id);
    expect(record.name).toBe("My flow");
    expect(record.definition.nodes).toEqual([
      { id: "trigger", type: "trigger", name: "Trigger", position: { x: 0, y: 0 }, config: {} },
    ]);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["too long", "x".repeat(201)],
  ])("refuses a %s name with a field error and stores nothing", async (_, name) => {
    const before = await countRows();
    const state = await createWorkflowAction({}, form({ name }));
    expect(state.fieldErrors?.name?.[0]).toMatch(/name/i);
    expect(await countRows()).toBe(before);
  });

  it("says an import error as a person would, pointing at the node", async () => {
    const json = JSON.stringify({
      ...valid,
      nodes: [...valid.nodes, { id: "h", type: "http", config: { method: "GET" } }],
    });
    const state = await importWorkflowAction({}, form({ json }));
    expect(state.issues?.find((i) => i.path === "nodes[2].config.url")?.message).toBe(
      'Node "h" (HTTP request): the URL is missing',
    );
    expect(state.fieldErrors?.json).toEqual(['Node "h" (HTTP request): the URL is missing']);
  });
});

describe("importWorkflowAction", () => {
  it("imports valid JSON and redirects to it", async () => {
    const path = await redirectOf(() => importWorkflowAction({}, form({ json: JSON.stringify(valid) })));
    const record = await getWorkflowOrThrow(database.db, path.replace("/workflows/", ""));
    expect(record.definition).toEqual(valid);
  });

  it.each([
    ["nothing", "", undefined],
    ["malformed JSON", "{nope", undefined],
    [
      "an unknown node type",
      JSON.stringify({ ...valid, nodes: [valid.nodes[0], { id: "x", type: "warp", config: {} }] }),
      "nodes[1].type",
    ],
    [
      "a dangling edge",
      JSON.stringify({ ...valid, edges: [{ source: "start", target: "ghost" }] }),
      "edges[0].target",
    ],
    [
      "a bad http config",
      JSON.stringify({
        ...valid,
        nodes: [...valid.nodes, { id: "h", type: "http", config: { method: "GET" } }],
      }),
      "nodes[2].config.url",
    ],
  ])("refuses %s, names the path and stores nothing", async (_, json, path) => {
    const before = await countRows();
    const state = await importWorkflowAction({}, form({ json }));
    expect(state.fieldErrors?.json?.length).toBeGreaterThan(0);
    if (path) expect(state.issues?.map((i) => i.path)).toContain(path);
    expect(await countRows()).toBe(before);
  });
});

describe("save, rename and delete", () => {
  it("saves with a version bump, refuses bad definitions and stale versions without changing the row", async () => {
    const id = (
      await redirectOf(() => importWorkflowAction({}, form({ json: JSON.stringify(valid) })))
    ).replace("/workflows/", "");
    const saved = await saveWorkflowAction(id, { ...valid, name: "Saved" }, { expectedVersion: 1 });
    expect(saved).toMatchObject({ ok: true, version: 2 });

    const bad = await saveWorkflowAction(id, { ...valid, nodes: [] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues?.[0]?.path).toBe("nodes");

    const stale = await saveWorkflowAction(id, valid, { expectedVersion: 1 });
    expect(stale).toMatchObject({ ok: false, code: "version_conflict" });
    expect(await getWorkflowOrThrow(database.db, id)).toMatchObject({ name: "Saved", version: 2 });

    expect(await renameWorkflowAction(id, "")).toMatchObject({ ok: false, issues: [{ path: "name" }] });
    expect(await renameWorkflowAction(id, "Renamed")).toMatchObject({
      ok: true,
      name: "Renamed",
      version: 3,
    });

    expect(await deleteWorkflowAction(id)).toEqual({ ok: true });
    expect(await deleteWorkflowAction(id)).toMatchObject({ ok: false, code: "not_found" });
  });

  it.each([
    ["save", () => saveWorkflowAction("missing", valid)],
    ["rename", () => renameWorkflowAction("missing", "x")],
    ["delete", () => deleteWorkflowAction("missing")],
    ["save with no id", () => saveWorkflowAction("", valid)],
  ])("%s of an unknown workflow answers a failure instead of throwing", async (_, run) => {
    const result = await run();
    expect(result.ok).toBe(false);
  });
});
