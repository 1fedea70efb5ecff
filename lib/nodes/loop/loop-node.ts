import { z } from "zod";
import { EngineError, NodeInterrupted, NodeSuspended } from "@/lib/engine/errors";
import type { ItemOutcome } from "@/lib/engine/executor";
import { evaluateExpression } from "@/lib/engine/expressions";
import type { NodeError } from "@/lib/engine/ports";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

/** The most items one loop takes; more fails the node before any item runs. */
export const MAX_LOOP_ITEMS = 100_000;

export const LoopConfig = z.strictObject({
  items: expressionString,
  concurrency: z.int().min(1).max(500).optional(),
  onItemError: z.enum(["fail", "continue"]).optional(),
});
export type LoopConfig = z.infer<typeof LoopConfig>;

const DEFAULT_CONCURRENCY = 8;

/** A loop node's output (SPEC §1): results in item order, `null` for an item that failed. */
export interface LoopOutput {
  results: unknown[];
  errors: { index: number; error: NodeError & { nodeId?: string } }[];
  count: number;
}

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/**
 * `loop`: runs its body (the nodes whose `parentId` is this node) once per item of `items`, at most
 * `concurrency` items at once, and outputs the results in item order.
 *
 * The engine runs each item as its own small DAG and checkpoints every body node per item, so this
 * module only schedules items: a pool of `concurrency` workers takes the next index until none is
 * left. Under `onItemError: "fail"` the first failed item cancels the items still running and fails
 * the node; under `"continue"` its result is `null` and its error is listed. When the run stops
 * (pause, hand-off) before every item finished, the node is interrupted: it is checkpointed
 * `pending` and, on resume, finished items are restored from their checkpoints, not run again.
 */
export const loopNode = defineNodeType({
  type: "loop",
  label: "Loop",
  description: "Runs the nodes inside it once per item of a list, several items at a time.",
  glyph: "↻",
  color: "#4f46e5",
  config: LoopConfig,
  handles: ["out"],
  defaults: { items: "input.items", concurrency: DEFAULT_CONCURRENCY, onItemError: "fail" },
  fields: [
    { key: "items", kind: "expression", required: true, help: "Gives the array; $item and $index inside." },
    {
      key: "concurrency",
      kind: "number",
      integer: true,
      min: 1,
      max: 500,
      placeholder: String(DEFAULT_CONCURRENCY),
      help: "Items in flight at once.",
    },
    {
      key: "onItemError",
      kind: "select",
      label: "On item error",
      options: ["fail", "continue"],
      help: "continue: a failed item gives null and is listed in errors.",
    },
  ],
  summary: (c) => clip(`each of ${summaryText(c.items)}`),
  // The complexity estimate counts a loop as items × its body (see complexity.ts); its own weight
  // pushes toward queued runs.
  estimate: { typicalMs: 1, weight: { score: 5, noun: "loop" } },
  sideEffects: false,
  holdsBody: true,
  async execute(ctx) {
    const { node } = ctx;
    const body = ctx.body;
    if (!body) {
      throw new EngineError(
        "unavailable",
        `loop "${node.id}" runs its body in a whole run only: run the workflow, or run a node inside it alone`,
      );
    }
    const site = { nodeType: node.type, nodeId: node.id, field: "config.items" };
    const items = await evaluateExpression(node.config.items, ctx.scope, site);
    if (!Array.isArray(items)) {
      throw new EngineError(
        "invalid_items",
        `loop "${node.id}" items must be an array, got ${typeName(items)}`,
      );
    }
    if (items.length > MAX_LOOP_ITEMS) {
      throw new EngineError(
        "too_many_items",
        `loop "${node.id}" has ${items.length} items; at most ${MAX_LOOP_ITEMS} are allowed`,
      );
    }
    const total = items.length;
    const results: unknown[] = new Array(total).fill(null);
    const failures: LoopOutput["errors"] = [];
    const failFast = (node.config.onItemError ?? "fail") === "fail";
    const cancel = new AbortController();
    const signal = AbortSignal.any([ctx.signal, cancel.signal]);
    let next = 0;
    let done = 0;
    let stopped = false;
    let waiting = 0;
    let firstFailure: { index: number; error: NodeError & { nodeId?: string } } | undefined;
    body.progress({ done, failed: 0, total });

    const settle = (index: number, outcome: ItemOutcome) => {
      if (outcome.status === "stopped") {
        stopped = true;
        return;
      }
      if (outcome.status === "waiting") {
        // The item holds a suspended node: the others go on; the loop waits for it at the end.
        waiting++;
        return;
      }
      done++;
      if (outcome.status === "succeeded") results[index] = outcome.result ?? null;
      else {
        failures.push({ index, error: outcome.error });
        if (failFast && !firstFailure) {
          firstFailure = { index, error: outcome.error };
          cancel.abort(new EngineError("cancelled", `item ${index} failed`));
        }
      }
      body.progress({ done, failed: failures.length, total });
    };
    const worker = async () => {
      while (next < total && !stopped && !firstFailure && !signal.aborted) {
        const index = next++;
        settle(index, await body.run(items[index], index, signal));
      }
    };
    const width = Math.min(node.config.concurrency ?? DEFAULT_CONCURRENCY, total);
    await Promise.all(Array.from({ length: width }, worker));

    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (firstFailure) {
      const { index, error } = firstFailure;
      const where = error.nodeId ? ` at "${error.nodeId}"` : "";
      throw new EngineError(error.code ?? "item_failed", `item ${index} failed${where}: ${error.message}`);
    }
    if (!stopped && waiting > 0 && done + waiting === total)
      throw new NodeSuspended({ for: "items", items: waiting });
    if (stopped || done < total)
      throw new NodeInterrupted(`loop "${node.id}" stopped after ${done} of ${total} items`);
    failures.sort((a, b) => a.index - b.index);
    const output: LoopOutput = { results, errors: failures, count: total };
    return { output };
  },
});
