import { describe, expect, it } from "vitest";
import type { ExecutionDetail } from "@/lib/runs/get-execution";
import { type ChildExecutionRow, childLinksOf, childSpansOf } from "./child-links";

const node = (output: unknown, waiting?: unknown) =>
  ({ status: "succeeded", output, ...(waiting ? { waiting } : {}) }) as ExecutionDetail["nodes"][string];

const detail = (nodes: ExecutionDetail["nodes"]) =>
  ({
    nodes,
    definition: {
      version: 1,
      name: "p",
      nodes: [
        { id: "t", type: "trigger", config: {} },
        { id: "a", type: "workflow", config: { workflowId: "c" } },
        { id: "b", type: "workflow", config: { workflowId: "c", wait: false } },
        { id: "w", type: "workflow", config: { workflowId: "c" } },
        { id: "x", type: "transform", config: { expression: "1" } },
      ],
      edges: [],
    },
  }) as Pick<ExecutionDetail, "definition" | "nodes">;

const row = (id: string, parentNodeId: string, workflowName: string | null = "Child"): ChildExecutionRow => ({
  id,
  parentNodeId,
  workflowId: "c",
  workflowName,
  status: "succeeded",
  startedAt: null,
  finishedAt: null,
});

describe("childLinksOf", () => {
  it("links each workflow node to its latest child, else the id in its output or wait", () => {
    const links = childLinksOf(
      detail({
        t: node({ executionId: "not-a-workflow-node" }),
        a: node({ total: 3 }),
        b: node({ executionId: "nowait" }),
        w: node(null, { for: "execution", executionId: "waiting-on" }),
        x: node({ executionId: "nope" }),
      }),
      [row("first", "a"), row("retry", "a")],
    );
    expect(links).toEqual({ a: "retry", b: "nowait", w: "waiting-on" });
  });

  it("links nothing for a node that started no child yet", () => {
    expect(childLinksOf(detail({}), [])).toEqual({});
  });
});

describe("childSpansOf", () => {
  it("labels a child by its workflow's name, or its id once the workflow is gone", () => {
    expect(childSpansOf([row("c1", "a"), row("c2", "a", null)]).map((s) => s.label)).toEqual(["Child", "c"]);
  });
});
