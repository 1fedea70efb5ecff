import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeStatus } from "@/lib/contract/status";
import type { Journal, NodeCheckpoint } from "@/lib/engine/ports";
import { capOutputSize, DEFAULT_MAX_OUTPUT_BYTES, isTruncatedOutput } from "@/lib/security/limits";

/** A runner's journal as the suite drives it. */
export interface JournalRunner {
  journal: Journal;
  /** Resolves once every checkpoint saved so far is durable (rejects when the runner was fenced). */
  settle(): Promise<void>;
  /** Whether this runner found itself fenced out (journals without a fence: always false). */
  fenced(): boolean;
}

/** What a journal implementation gives the suite. */
export interface JournalFixture {
  /** Creates an execution (claimed once) and returns its id. */
  execution(): Promise<string>;
  /** Opens a runner's journal on `executionId`, as the holder of its current claim would. */
  open(executionId: string): Promise<JournalRunner>;
  /**
   * Claims `executionId` again (a crash, a hand-off): every runner opened before is stale. Absent
   * for journals without a fence (the memory journal serves one runner in one process).
   */
  reclaim?(executionId: string): Promise<void>;
  /** Whether outputs over the size limit are stored capped (`capOutputSize`) rather than whole. */
  capsOutputs: boolean;
  close(): Promise<void>;
}

const at = (ms: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, ms)).toISOString();

/** One checkpoint of every kind the engine saves, with every field it may carry. */
export const CHECKPOINT_KINDS: NodeCheckpoint[] = [
  { nodeId: "pending", status: "pending", attempts: 0 },
  { nodeId: "running", status: "running", attempts: 1, input: { a: 1 }, startedAt: at(1) },
  {
    nodeId: "pending-after-interrupt",
    status: "pending",
    attempts: 2,
    input: [1, "two", { three: 3 }],
    startedAt: at(2),
  },
  {
    nodeId: "succeeded",
    status: "succeeded",
    attempts: 1,
    input: { n: 2 },
    output: { doubled: 4, nested: { list: [true, false, "x"], unicode: "Grüße 😀" } },
    startedAt: at(3),
    finishedAt: at(10),
    durationMs: 7,
  },
  {
    nodeId: "succeeded-cached",
    status: "succeeded",
    attempts: 1,
    input: "prompt",
    output: { text: "hi", usage: { promptTokens: 1, completionTokens: 2 } },
    startedAt: at(4),
    finishedAt: at(5),
    durationMs: 1,
    cached: true,
  },
  { nodeId: "succeeded-scalar", status: "succeeded", attempts: 1, output: 42, finishedAt: at(6) },
  { nodeId: "succeeded-string", status: "succeeded", attempts: 1, output: "plain text", finishedAt: at(6) },
  {
    nodeId: "failed",
    status: "failed",
    attempts: 3,
    input: { url: "http://127.0.0.1/x" },
    error: { message: "HTTP 500", code: "http_status" },
    startedAt: at(7),
    finishedAt: at(9),
    durationMs: 2,
  },
  {
    nodeId: "failed-with-output",
    status: "failed",
    attempts: 1,
    output: { status: 404, body: "missing" },
    error: { message: "HTTP 404" },
    finishedAt: at(8),
  },
  { nodeId: "skipped", status: "skipped", attempts: 0, finishedAt: at(11) },
  { nodeId: "waiting", status: "waiting", attempts: 1, input: { orderId: 7 }, startedAt: at(14) },
  {
    nodeId: "cancelled",
    status: "cancelled",
    attempts: 1,
    error: { message: "the execution was cancelled", code: "cancelled" },
    startedAt: at(12),
    finishedAt: at(13),
    durationMs: 1,
  },
];

/** Condition checkpoints: the handle a condition took is what a resume routes by. */
export const CONDITION_CHECKPOINTS: NodeCheckpoint[] = [
  {
    nodeId: "if-true",
    status: "succeeded",
    attempts: 1,
    output: { value: 1 },
    finishedAt: at(20),
    handle: "true",
  },
  {
    nodeId: "if-false",
    status: "succeeded",
    attempts: 1,
    output: { value: 0 },
    finishedAt: at(21),
    handle: "false",
  },
];

const STATUSES: readonly NodeStatus[] = NodeStatus.options;

/**
 * The conformance suite every engine `Journal` passes: save and restore of every checkpoint kind,
 * the latest save of a node winning, condition handles, outputs over the size limit, and (for
 * fenced journals) a stale runner changing nothing.
 */
export function describeJournalConformance(name: string, setup: () => Promise<JournalFixture>): void {
  describe(`Journal conformance: ${name}`, () => {
    let fixture: JournalFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.close();
    });

    /** Saves `checkpoints` through a runner, then loads them through a new one. */
    const roundTrip = async (checkpoints: NodeCheckpoint[]) => {
      const id = await fixture.execution();
      const runner = await fixture.open(id);
      await Promise.all(checkpoints.map((cp) => runner.journal.save(cp)));
      await runner.settle();
      const reader = await fixture.open(id);
      return { id, loaded: await reader.journal.load() };
    };

    it("covers every node status", () => {
      expect(new Set(CHECKPOINT_KINDS.map((c) => c.status))).toEqual(new Set(STATUSES));
    });

    it("loads nothing for an execution without checkpoints", async () => {
      const id = await fixture.execution();
      expect(await (await fixture.open(id)).journal.load()).toEqual({});
    });

    it.each(CHECKPOINT_KINDS.map((c) => [c.nodeId, c] as const))(
      "restores a %s checkpoint field for field",
      async (_kind, cp) => {
        const { loaded } = await roundTrip([cp]);
        expect(loaded).toEqual({ [cp.nodeId]: cp });
      },
    );

    it("restores every kind saved together, keyed by node", async () => {
      const { loaded } = await roundTrip(CHECKPOINT_KINDS);
      expect(loaded).toEqual(Object.fromEntries(CHECKPOINT_KINDS.map((c) => [c.nodeId, c])));
    });

    it("keeps the latest save of a node, awaited or not", async () => {
      const id = await fixture.execution();
      const runner = await fixture.open(id);
      const running: NodeCheckpoint = { nodeId: "n", status: "running", attempts: 1, startedAt: at(1) };
      const done: NodeCheckpoint = {
        ...running,
        status: "succeeded",
        output: { ok: true },
        finishedAt: at(2),
      };
      void runner.journal.save(running);
      await runner.journal.save(done);
      const retried: NodeCheckpoint = { nodeId: "m", status: "running", attempts: 2, startedAt: at(3) };
      await runner.journal.save({ nodeId: "m", status: "failed", attempts: 1, error: { message: "x" } });
      void runner.journal.save(retried);
      await runner.settle();
      expect(await (await fixture.open(id)).journal.load()).toEqual({ n: done, m: retried });
    });

    it("restores the handle a condition took", async () => {
      const { loaded } = await roundTrip(CONDITION_CHECKPOINTS);
      expect(loaded["if-true"]?.handle).toBe("true");
      expect(loaded["if-false"]?.handle).toBe("false");
      expect(loaded["if-true"]).toEqual(CONDITION_CHECKPOINTS[0]);
    });

    it("drops a handle when a later save of the node has none", async () => {
      const id = await fixture.execution();
      const runner = await fixture.open(id);
      await runner.journal.save(CONDITION_CHECKPOINTS[0]!);
      const rerun: NodeCheckpoint = { nodeId: "if-true", status: "pending", attempts: 1 };
      await runner.journal.save(rerun);
      await runner.settle();
      expect(await (await fixture.open(id)).journal.load()).toEqual({ "if-true": rerun });
    });

    it("stores an output over the size limit without failing, and the rest of the checkpoint whole", async () => {
      const big = { rows: "x".repeat(DEFAULT_MAX_OUTPUT_BYTES + 10), keep: 1 };
      const cp: NodeCheckpoint = {
        nodeId: "big",
        status: "succeeded",
        attempts: 1,
        input: { small: true },
        output: big,
        finishedAt: at(30),
        durationMs: 3,
      };
      const neighbour: NodeCheckpoint = { nodeId: "small", status: "succeeded", attempts: 1, output: 1 };
      const { loaded } = await roundTrip([cp, neighbour]);
      const restored = loaded.big!;
      expect({ ...restored, output: undefined }).toEqual({ ...cp, output: undefined });
      if (fixture.capsOutputs) {
        expect(isTruncatedOutput(restored.output)).toBe(true);
        expect(restored.output).toEqual(capOutputSize(big));
        expect(JSON.stringify(restored.output).length).toBeLessThan(DEFAULT_MAX_OUTPUT_BYTES);
      } else {
        expect(restored.output).toEqual(big);
      }
      expect(loaded.small).toEqual(neighbour);
    });

    it("keeps executions apart", async () => {
      const a = await roundTrip([{ nodeId: "n", status: "succeeded", attempts: 1, output: "a" }]);
      const b = await roundTrip([{ nodeId: "n", status: "failed", attempts: 2, error: { message: "b" } }]);
      expect(a.loaded.n?.output).toBe("a");
      expect(b.loaded.n?.status).toBe("failed");
      expect(await (await fixture.open(a.id)).journal.load()).toEqual(a.loaded);
    });

    describe("fencing", () => {
      const fenced = () => fixture.reclaim !== undefined;

      it("a stale runner's saves are refused and change nothing", async (ctx) => {
        if (!fenced()) ctx.skip();
        const id = await fixture.execution();
        const stale = await fixture.open(id);
        const before: NodeCheckpoint = { nodeId: "a", status: "succeeded", attempts: 1, output: "first" };
        await stale.journal.save(before);
        await stale.settle();
        await fixture.reclaim!(id);
        const current = await fixture.open(id);
        expect(await current.journal.load()).toEqual({ a: before });

        const overwrite = stale.journal.save({
          nodeId: "a",
          status: "failed",
          attempts: 2,
          error: { message: "stale" },
        });
        await expect(overwrite).rejects.toThrow(/claimed by another runner/);
        expect(stale.fenced()).toBe(true);
        // Later saves, awaited or not, are refused as well.
        await expect(stale.journal.save({ nodeId: "b", status: "succeeded", attempts: 1 })).rejects.toThrow();
        void stale.journal.save({ nodeId: "c", status: "running", attempts: 1 }).catch(() => {});
        await expect(stale.settle()).rejects.toThrow();

        expect(await (await fixture.open(id)).journal.load()).toEqual({ a: before });
        expect(current.fenced()).toBe(false);
      });

      it("an unawaited save of a stale runner never lands", async (ctx) => {
        if (!fenced()) ctx.skip();
        const id = await fixture.execution();
        const stale = await fixture.open(id);
        await fixture.reclaim!(id);
        void stale.journal
          .save({ nodeId: "r", status: "running", attempts: 1, startedAt: at(1) })
          .catch(() => {});
        await stale.settle().catch(() => {});
        const current = await fixture.open(id);
        await current.journal.save({ nodeId: "s", status: "succeeded", attempts: 1, output: 2 });
        await current.settle();
        expect(await (await fixture.open(id)).journal.load()).toEqual({
          s: { nodeId: "s", status: "succeeded", attempts: 1, output: 2 },
        });
      });

      it("the current runner's saves land after a reclaim", async (ctx) => {
        if (!fenced()) ctx.skip();
        const id = await fixture.execution();
        await fixture.reclaim!(id);
        await fixture.reclaim!(id);
        const current = await fixture.open(id);
        const cps = CHECKPOINT_KINDS.slice(0, 4);
        await Promise.all(cps.map((cp) => current.journal.save(cp)));
        await current.settle();
        expect(await (await fixture.open(id)).journal.load()).toEqual(
          Object.fromEntries(cps.map((c) => [c.nodeId, c])),
        );
      });
    });
  });
}
