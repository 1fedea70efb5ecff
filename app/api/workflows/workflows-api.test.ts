import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, setDatabase } from "@/lib/db/client";
import { workflows } from "@/lib/db/schema";
import { createTestDatabase, postgresAvailable } from "@/lib/testing/db";
import { DELETE, GET as GET_ONE, PUT } from "./[id]/route";
import { GET, POST } from "./route";

const def = {
  version: 1,
  name: "Hello",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "out", type: "output", config: { value: "inputs" } },
  ],
  edges: [{ source: "start", target: "out" }],
};

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const json = (body: unknown, init: RequestInit = {}) =>
  new Request("http://localhost/api/workflows", {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
  });

/** Loop-body rules (SPEC §1 "Loop bodies"): each refused with the path of the offending field. */
function loopBadBodies(): Array<[string, string, number, string, string?]> {
  const loop = (id: string, parentId?: string) => ({
    id,
    type: "loop",
    ...(parentId ? { parentId } : {}),
    config: { items: "[1]" },
  });
  const child = (id: string, parentId: string) => ({
    id,
    type: "transform",
    parentId,
    config: { expression: "$item" },
  });
  const withNodes = (nodes: object[], edges: object[] = []) =>
    JSON.stringify({ ...def, nodes: [...def.nodes, ...nodes], edges: [...def.edges, ...edges] });
  return [
    [
      "loop: edge across the body",
      withNodes([loop("l"), child("c", "l")], [{ source: "c", target: "out" }]),
      422,
      "invalid_workflow",
      "edges[1]",
    ],
    [
      "loop: parentId not a loop",
      withNodes([loop("l"), child("c", "l"), child("d", "c")]),
      422,
      "invalid_workflow",
      "nodes[4].parentId",
    ],
    [
      "loop: nested 4 deep",
      withNodes([loop("l1"), loop("l2", "l1"), loop("l3", "l2"), loop("l4", "l3"), child("c", "l4")]),
      422,
      "invalid_workflow",
      "nodes[5].parentId",
    ],
    ["loop: empty body", withNodes([loop("l")]), 422, "invalid_workflow", "nodes[2]"],
    [
      "loop: trigger in body",
      withNodes([loop("l"), child("c", "l"), { id: "t2", type: "trigger", parentId: "l", config: {} }]),
      422,
      "invalid_workflow",
      "nodes[4].parentId",
    ],
  ];
}

/** Malformed bodies for POST and PUT: each a 4xx with a code (and issues when it is a validation error). */
const badBodies: Array<[string, string, number, string, string?]> = [
  ["empty body", "", 400, "invalid_json"],
  ["not JSON", "{nope", 400, "invalid_json"],
  ["a JSON string", JSON.stringify("hi"), 422, "invalid_workflow", ""],
  ["null", "null", 422, "invalid_workflow", ""],
  ["no nodes", JSON.stringify({ ...def, nodes: [] }), 422, "invalid_workflow", "nodes"],
  [
    "unknown type",
    JSON.stringify({ ...def, nodes: [def.nodes[0], { id: "x", type: "warp", config: {} }] }),
    422,
    "invalid_workflow",
    "nodes[1].type",
  ],
  [
    "dangling edge",
    JSON.stringify({ ...def, edges: [{ source: "start", target: "ghost" }] }),
    422,
    "invalid_workflow",
    "edges[0].target",
  ],
  [
    "cycle",
    JSON.stringify({
      ...def,
      nodes: [
        ...def.nodes,
        { id: "a", type: "transform", config: { expression: "1" } },
        { id: "b", type: "transform", config: { expression: "1" } },
      ],
      edges: [
        { source: "a", target: "b" },
        { source: "b", target: "a" },
      ],
    }),
    422,
    "invalid_workflow",
    "edges[1]",
  ],
  [
    "bad http config",
    JSON.stringify({ ...def, nodes: [...def.nodes, { id: "h", type: "http", config: { method: "GET" } }] }),
    422,
    "invalid_workflow",
    "nodes[2].config.url",
  ],
  ...loopBadBodies(),
  ["over 5 MB", JSON.stringify({ ...def, name: "x".repeat(5 * 1024 * 1024) }), 413, "body_too_large"],
];

const postgresUp = await postgresAvailable();

for (const kind of ["pglite", "postgres"] as const) {
  describe(`workflows API on ${kind}`, () => {
    const enabled = kind === "pglite" || postgresUp;
    let database: Database;
    beforeAll(async () => {
      if (!enabled) return;
      database = await createTestDatabase(kind);
      setDatabase(database);
    });
    afterAll(async () => {
      setDatabase(undefined);
      await database?.close();
    });
    const rows = async () => (await database.db.select().from(workflows)).map((r) => ({ ...r }));

    it.skipIf(!enabled)("creates, lists, reads, updates (bumping the version) and deletes", async () => {
      const created = await POST(json(def), undefined);
      expect(created.status).toBe(201);
      const body = (await created.json()) as { id: string; version: number; definition: unknown };
      expect(body.version).toBe(1);
      expect(body.definition).toEqual(def);

      const list = (await (await GET(new Request("http://localhost/api/workflows"), undefined)).json()) as {
        workflows: Array<{ id: string; name: string; nodeCount: number; updatedAt: string }>;
      };
      expect(list.workflows).toEqual([expect.objectContaining({ id: body.id, name: "Hello", nodeCount: 2 })]);

      const renamed = { ...def, name: "Renamed" };
      const put = await PUT(json(renamed, { method: "PUT" }), ctx(body.id));
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({
        id: body.id,
        name: "Renamed",
        version: 2,
        definition: renamed,
      });

      const stale = await PUT(json(def, { method: "PUT", headers: { "if-match": "1" } }), ctx(body.id));
      expect(stale.status).toBe(409);

      const got = await GET_ONE(new Request("http://localhost"), ctx(body.id));
      expect(await got.json()).toMatchObject({ name: "Renamed", version: 2 });

      expect((await DELETE(new Request("http://localhost", { method: "DELETE" }), ctx(body.id))).status).toBe(
        204,
      );
      expect((await GET_ONE(new Request("http://localhost"), ctx(body.id))).status).toBe(404);
      expect((await DELETE(new Request("http://localhost", { method: "DELETE" }), ctx(body.id))).status).toBe(
        404,
      );
    });

    it.skipIf(!enabled).each(badBodies)(
      "POST %s → 4xx, nothing stored",
      async (_name, raw, status, code, path) => {
        const before = await rows();
        const res = await POST(json(raw), undefined);
        expect(res.status).toBe(status);
        const body = (await res.json()) as {
          error: { code: string; message: string; issues?: Array<{ path: string }> };
        };
        expect(body.error.code).toBe(code);
        expect(body.error.message.length).toBeGreaterThan(0);
        if (path !== undefined) expect(body.error.issues?.map((i) => i.path)).toContain(path);
        expect(await rows()).toEqual(before);
      },
    );

    it.skipIf(!enabled).each(badBodies)("PUT %s → 4xx, row unchanged", async (_name, raw, status, code) => {
      const created = (await (await POST(json(def), undefined)).json()) as { id: string };
      const before = await rows();
      const res = await PUT(json(raw, { method: "PUT" }), ctx(created.id));
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      expect(await rows()).toEqual(before);
    });

    it.skipIf(!enabled)("PUT to an unknown workflow is a 404", async () => {
      const res = await PUT(json(def, { method: "PUT" }), ctx("missing"));
      expect(res.status).toBe(404);
    });
  });
}
