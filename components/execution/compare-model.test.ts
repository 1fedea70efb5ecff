import { describe, expect, it } from "vitest";
import { transform, trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import type { ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { compareExecutions } from "./compare-model";

const node = (
  status: ExecutionNodeDetail["status"],
  output: unknown,
  durationMs = 5,
): ExecutionNodeDetail => ({
  status,
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  durationMs,
  output,
  error: null,
  cached: false,
  input: null,
});

const def = workflow([trigger(), transform("a", "1"), transform("b", "2")], ["start->a", "a->b"]);
const defWithC = workflow([trigger(), transform("a", "1"), transform("c", "3")], ["start->a", "a->c"]);

describe("compareExecutions", () => {
  it.each([
    [
      "same everywhere",
      { start: node("succeeded", {}), a: node("succeeded", 1), b: node("succeeded", 2) },
      { start: node("succeeded", {}), a: node("succeeded", 1, 9), b: node("succeeded", 2) },
      { a: [true, true, []], b: [true, true, []] },
    ],
    [
      "an output changed, field by field",
      { start: node("succeeded", {}), a: node("succeeded", { x: 1, y: 2 }), b: node("succeeded", 2) },
      { start: node("succeeded", {}), a: node("succeeded", { x: 1, y: 3 }), b: node("succeeded", 2) },
      { a: [true, false, ["output.y"]] },
    ],
    [
      "a status changed",
      { start: node("succeeded", {}), a: node("failed", null), b: node("skipped", null) },
      { start: node("succeeded", {}), a: node("succeeded", 1), b: node("succeeded", 2) },
      { a: [false, false, ["output"]], b: [false, false, ["output"]] },
    ],
  ] as const)("%s", (_, leftNodes, rightNodes, expected) => {
    const rows = compareExecutions(
      { definition: def, nodes: leftNodes },
      { definition: def, nodes: rightNodes },
    );
    const byId = Object.fromEntries(rows.map((r) => [r.nodeId, r]));
    for (const [id, [sameStatus, sameOutput, paths]] of Object.entries(expected)) {
      expect(byId[id]).toMatchObject({ sameStatus, sameOutput });
      expect(byId[id]?.outputChanges.map((c) => c.path)).toEqual(paths);
    }
  });

  it("lists nodes only one side has, after the left's own", () => {
    const rows = compareExecutions(
      {
        definition: def,
        nodes: { start: node("succeeded", {}), a: node("succeeded", 1), b: node("succeeded", 2) },
      },
      {
        definition: defWithC,
        nodes: { start: node("succeeded", {}), a: node("succeeded", 1), c: node("succeeded", 3) },
      },
    );
    expect(rows.map((r) => r.nodeId)).toEqual(["start", "a", "b", "c"]);
    expect(rows.find((r) => r.nodeId === "b")?.right).toBeUndefined();
    expect(rows.find((r) => r.nodeId === "c")?.left).toBeUndefined();
  });
});
