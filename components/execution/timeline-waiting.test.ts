import { describe, expect, it } from "vitest";
import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { buildTimeline } from "./timeline-model";

const t0 = Date.parse("2026-12-01T10:00:00Z");
const at = (ms: number) => new Date(t0 + ms).toISOString();

function node(patch: Partial<ExecutionNodeDetail>): ExecutionNodeDetail {
  return {
    status: "pending",
    attempts: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    input: null,
    output: null,
    error: null,
    cached: false,
    ...patch,
  };
}

function detail(nodes: Record<string, ExecutionNodeDetail>): ExecutionDetail {
  return {
    startedAt: at(0),
    finishedAt: null,
    nodes,
    definition: {
      version: 1,
      name: "t",
      nodes: Object.keys(nodes).map((id) => ({ id, type: "wait" })),
      edges: [],
    },
  } as unknown as ExecutionDetail;
}

describe("buildTimeline", () => {
  it("draws a running or waiting node's bar up to now, a finished one to its finish", () => {
    const model = buildTimeline(
      detail({
        start: node({ status: "succeeded", startedAt: at(0), finishedAt: at(100) }),
        approve: node({ status: "waiting", startedAt: at(100), waiting: { for: "approval" } }),
        http: node({ status: "running", startedAt: at(200) }),
      }),
      t0 + 60_000,
    );
    expect(model.rows.map((r) => [r.nodeId, r.startMs, r.endMs])).toEqual([
      ["start", 0, 100],
      ["approve", 100, 60_000],
      ["http", 200, 60_000],
    ]);
    expect(model.totalMs).toBe(60_000);
  });
});
