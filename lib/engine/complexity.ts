import type { NodeEstimate } from "@/lib/nodes/define";
import { nodeModuleOf } from "@/lib/nodes/registry";
import { bodiesOf } from "@/lib/workflow/bodies";
import { criticalPath, pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { WorkflowDefinition, WorkflowNode } from "@/lib/workflow/schema";

export interface ComplexityEstimate {
  score: number;
  reasons: string[];
  estimatedMs: number;
  suggestedMode: "immediate" | "queued";
}

export interface ComplexityOptions {
  triggerId?: string;
  /** Past per-node durations (e.g. the median of recent runs), by node id. */
  pastDurationsMs?: Record<string, number>;
  /** The in-request budget (`IMMEDIATE_BUDGET_MS`); default 10 s. */
  budgetMs?: number;
}

/** What a node's type says to expect of it (typical duration, weight); unknown types cost 1 ms. */
function estimateOf(node: WorkflowNode): NodeEstimate<unknown> {
  return (nodeModuleOf(node.type)?.estimate as NodeEstimate<unknown> | undefined) ?? { typicalMs: 1 };
}
const typicalMs = (node: WorkflowNode, e: NodeEstimate<unknown>) =>
  typeof e.typicalMs === "function" ? e.typicalMs(node.config) : e.typicalMs;

const DEFAULT_BUDGET_MS = 10_000;
const LARGE_GRAPH = 300;

/** Items assumed for a loop whose items are not known before the run. */
export const LOOP_GUESS_ITEMS = 100;

/** The item count of a loop when its `items` is a literal range `[a..b]` or array; else undefined. */
function literalItemCount(items: unknown): number | undefined {
  if (typeof items !== "string") return undefined;
  const text = items.trim();
  const range = /^\[\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*\]$/.exec(text);
  if (range) return Math.max(0, Number(range[2]) - Number(range[1]) + 1);
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.length : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A loop costs its item count (or LOOP_GUESS_ITEMS) times its body's critical path, in waves of
 * `concurrency` items: `ceil(items / concurrency) × body`. Nested loops count the same way inside.
 */
function loopEstimate(
  definition: WorkflowDefinition,
  loop: WorkflowNode,
  bodies: ReturnType<typeof bodiesOf>,
): { ms: number; reason: string } {
  const config = loop.config as { items?: unknown; concurrency?: number };
  const known = literalItemCount(config.items);
  const items = known ?? LOOP_GUESS_ITEMS;
  const body = bodies.get(loop.id) ?? { nodes: [], edges: [] };
  const durations: Record<string, number> = {};
  for (const n of body.nodes) {
    durations[n.id] = nodeModuleOf(n.type)?.holdsBody
      ? loopEstimate(definition, n, bodies).ms
      : typicalMs(n, estimateOf(n));
  }
  const bodyMs = criticalPath(body, durations).length;
  const waves = Math.ceil(items / Math.max(1, config.concurrency ?? 8));
  const ms = waves * bodyMs;
  const count = known === undefined ? `~${items} items (a guess)` : `${items} items`;
  return {
    ms,
    reason: `loop "${loop.id}": ${count} × body ≈ ${Math.round(bodyMs)} ms → ${Math.round(ms)} ms`,
  };
}

/**
 * Estimates what a run of `definition` costs, for `auto` mode: the critical path of expected node
 * durations (delays at their `ms`, past durations when known, else a typical figure per type),
 * bounded below by the total work spread over `maxConcurrency`. Suggests `queued` when the estimate
 * exceeds half the budget or the graph is large.
 */
export function estimateComplexity(
  definition: WorkflowDefinition,
  options: ComplexityOptions = {},
): ComplexityEstimate {
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const trigger = pickTrigger(definition, options.triggerId);
  const ids = trigger ? reachableFrom(definition, trigger.id) : new Set(definition.nodes.map((n) => n.id));
  const nodes = definition.nodes.filter((n) => ids.has(n.id));
  const past = options.pastDurationsMs ?? {};

  const durations: Record<string, number> = {};
  const bodies = bodiesOf(definition);
  const loopReasons: string[] = [];
  /** Nodes per weighted kind ("LLM", "HTTP"…), in first-seen order, with their score each. */
  const weighted = new Map<string, { count: number; score: number }>();
  let known = 0;
  let work = 0;
  for (const node of nodes) {
    const estimate = estimateOf(node);
    if (estimate.weight) {
      const w = weighted.get(estimate.weight.noun) ?? { count: 0, score: estimate.weight.score };
      w.count++;
      weighted.set(estimate.weight.noun, w);
    }
    const pastMs = past[node.id];
    let ms: number;
    if (typeof pastMs === "number" && Number.isFinite(pastMs) && pastMs >= 0) {
      ms = pastMs;
      known++;
    } else if (nodeModuleOf(node.type)?.holdsBody) {
      const loop = loopEstimate(definition, node, bodies);
      ms = loop.ms;
      loopReasons.push(loop.reason);
    } else ms = typicalMs(node, estimate);
    durations[node.id] = ms;
    work += ms;
  }
  const sub = {
    nodes,
    edges: definition.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
  const critical = criticalPath(sub, durations);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const delayOnPath = critical.path.reduce((sum, id) => {
    const node = byId.get(id);
    if (!node || past[id] !== undefined) return sum;
    const estimate = estimateOf(node);
    return estimate.waitsOnClock ? sum + typicalMs(node, estimate) : sum;
  }, 0);
  const concurrency = definition.settings?.maxConcurrency ?? 16;
  const estimatedMs = Math.round(Math.max(critical.length, work / concurrency));

  const reasons = [`${nodes.length} node${nodes.length === 1 ? "" : "s"}`];
  let weightScore = 0;
  for (const [noun, { count, score }] of weighted) {
    reasons.push(`${count} ${noun} node${count === 1 ? "" : "s"}`);
    weightScore += count * score;
  }
  reasons.push(...loopReasons);
  if (delayOnPath > 0) reasons.push(`${delayOnPath} ms of delays on the critical path`);
  if (known > 0) reasons.push(`past durations known for ${known} node${known === 1 ? "" : "s"}`);
  reasons.push(`critical path ≈ ${critical.length} ms, estimate ${estimatedMs} ms (budget ${budgetMs} ms)`);

  const large = nodes.length > LARGE_GRAPH;
  if (large) reasons.push(`more than ${LARGE_GRAPH} nodes`);
  const score = Math.round(nodes.length + weightScore + (100 * estimatedMs) / budgetMs);
  return {
    score,
    reasons,
    estimatedMs,
    suggestedMode: large || estimatedMs > budgetMs / 2 ? "queued" : "immediate",
  };
}
