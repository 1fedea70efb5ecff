import { describe, expect, it } from "vitest";
import { estimateComplexity } from "./complexity";
import { delay, transform, trigger, workflow } from "./testing/workflow-builder";

describe("estimateComplexity", () => {
  it("suggests immediate for a small, quick workflow", () => {
    const est = estimateComplexity(workflow([trigger(), transform("a", "1")], ["start->a"]));
    expect(est.suggestedMode).toBe("immediate");
    expect(est.reasons[0]).toBe("2 nodes");
    expect(est.estimatedMs).toBeLessThan(100);
  });

  it("counts delays on the critical path only, not parallel ones twice", () => {
    const def = workflow(
      [trigger(), delay("d1", 3_000), delay("d2", 3_000), delay("d3", 1_000)],
      ["start->d1", "start->d2", "d2->d3"],
    );
    const est = estimateComplexity(def);
    expect(est.estimatedMs).toBeGreaterThanOrEqual(4_000);
    expect(est.estimatedMs).toBeLessThan(4_100);
    expect(est.reasons).toContain("4000 ms of delays on the critical path");
    expect(est.suggestedMode).toBe("immediate");
    expect(estimateComplexity(def, { budgetMs: 6_000 }).suggestedMode).toBe("queued");
  });

  it("weighs LLM and HTTP nodes", () => {
    const llm = (id: string) => ({ id, type: "llm", config: { model: "m", prompt: "p" } });
    const http = (id: string) => ({
      id,
      type: "http",
      config: { method: "GET", url: "https://example.com" },
    });
    const light = estimateComplexity(workflow([trigger(), transform("a", "1")], ["start->a"]));
    const heavy = estimateComplexity(
      workflow([trigger(), llm("l1"), llm("l2"), http("h1")], ["start->l1", "l1->l2", "start->h1"]),
    );
    expect(heavy.score).toBeGreaterThan(light.score);
    expect(heavy.reasons).toEqual(expect.arrayContaining(["2 LLM nodes", "1 HTTP node"]));
    expect(heavy.suggestedMode).toBe("queued");
  });

  it("uses past durations when known", () => {
    const def = workflow(
      [trigger(), { id: "l1", type: "llm", config: { model: "m", prompt: "p" } }],
      ["start->l1"],
    );
    const fast = estimateComplexity(def, { pastDurationsMs: { l1: 200 } });
    expect(fast.estimatedMs).toBeLessThan(300);
    expect(fast.suggestedMode).toBe("immediate");
    expect(fast.reasons).toContain("past durations known for 1 node");
    const slow = estimateComplexity(def, { pastDurationsMs: { l1: 9_000 } });
    expect(slow.suggestedMode).toBe("queued");
  });

  it("only counts nodes reachable from the trigger and queues large graphs", () => {
    const many = Array.from({ length: 400 }, (_, i) => transform(`n${i}`, "1"));
    const def = workflow(
      [trigger("t1"), trigger("t2"), ...many],
      many.map((n) => `t1->${n.id}`),
    );
    expect(estimateComplexity(def, { triggerId: "t2" }).reasons[0]).toBe("1 node");
    expect(estimateComplexity(def).suggestedMode).toBe("queued");
  });

  it("counts a loop as its items times its body, with a guess when items are unknown", () => {
    const body = (items: string, concurrency: number) =>
      workflow(
        [
          trigger(),
          { id: "each", type: "loop", config: { items, concurrency } },
          delay("wait", 200, { parentId: "each" }),
        ],
        ["start->each"],
      );
    const known = estimateComplexity(body("[1..40]", 4));
    // 40 items in waves of 4 × a 200 ms body = 2 s.
    expect(known.estimatedMs).toBeGreaterThanOrEqual(2_000);
    expect(known.estimatedMs).toBeLessThan(2_100);
    expect(known.reasons).toContain('loop "each": 40 items × body ≈ 200 ms → 2000 ms');
    const guessed = estimateComplexity(body("inputs.rows", 1));
    expect(guessed.reasons.some((r) => r.includes("~100 items (a guess)"))).toBe(true);
    expect(guessed.estimatedMs).toBeGreaterThanOrEqual(20_000);
    expect(guessed.suggestedMode).toBe("queued");
    expect(known.reasons).toContain("1 loop node");
  });
});
