import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { executions, workflows } from "@/lib/db/schema";
import { createTestDatabase } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { childExecutionsOf } from "./child-executions";
import { listExecutions } from "./get-execution";

const definition: WorkflowDefinition = {
  version: 1,
  name: "w",
  nodes: [{ id: "t", type: "trigger", config: {} }],
  edges: [],
};

describe("childExecutionsOf / listExecutions({ topLevel })", () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    const { db } = database;
    await db.insert(workflows).values([
      { id: "parent", name: "Parent", definition },
      { id: "child", name: "Child flow", definition },
    ]);
    const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);
    const base = { workflowVersion: 1, mode: "queued", definition };
    await db.insert(executions).values([
      { ...base, id: "p1", workflowId: "parent", status: "succeeded", createdAt: at("00") },
      {
        ...base,
        id: "c1",
        workflowId: "child",
        status: "succeeded",
        parentExecutionId: "p1",
        parentNodeId: "sub",
        parentKey: "sub@1",
        depth: 1,
        startedAt: at("01"),
        finishedAt: at("02.5"),
        createdAt: at("01"),
      },
      {
        ...base,
        id: "c2",
        workflowId: "child",
        status: "running",
        parentExecutionId: "p1",
        parentNodeId: "sub2",
        parentKey: "sub2@1",
        depth: 1,
        startedAt: at("03"),
        createdAt: at("03"),
      },
      { ...base, id: "c0", workflowId: "child", status: "succeeded", createdAt: at("04") },
    ]);
  });
  afterAll(async () => database?.close());

  it("lists a parent's children oldest first, with their node, workflow name and span", async () => {
    const children = await childExecutionsOf(database.db, "p1");
    expect(children).toEqual([
      {
        id: "c1",
        parentNodeId: "sub",
        workflowId: "child",
        workflowName: "Child flow",
        status: "succeeded",
        startedAt: "2026-01-01T00:00:01.000Z",
        finishedAt: "2026-01-01T00:00:02.500Z",
        createdAt: "2026-01-01T00:00:01.000Z",
      },
      expect.objectContaining({ id: "c2", parentNodeId: "sub2", status: "running", finishedAt: null }),
    ]);
    expect(await childExecutionsOf(database.db, "c1")).toEqual([]);
  });

  it("leaves child executions out of a history filtered to top-level ones", async () => {
    expect((await listExecutions(database.db, "child")).map((e) => e.id)).toEqual(["c0", "c2", "c1"]);
    expect((await listExecutions(database.db, "child", { topLevel: true })).map((e) => e.id)).toEqual(["c0"]);
    expect((await listExecutions(database.db, "parent", { topLevel: true })).map((e) => e.id)).toEqual([
      "p1",
    ]);
  });
});
