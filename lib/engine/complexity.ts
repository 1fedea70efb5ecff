import { criticalPath, pickTrigger, reachableFrom } from "@/lib/workflow/graph";
import type { DelayConfig } from "@/lib/workflow/node-types";
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

/** Typical duration of a node of each type when nothing better is known. */
const TYPICAL_MS: Record<WorkflowNode["type"], number> = {
  trigger: 1,
  http: 800,
  llm: 4000,
  condition: 1,
  filter: 2,
  transform: 1,
  merge: 1,
  delay: 0,
  email: 1500,
  output: 1,
};
const DEFAULT_BUDGET_MS = 10_000;
const LARGE_GRAPH = 300;

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
  let llm = 0;
  let http = 0;
  let email = 0;
  let known = 0;
  let work = 0;
  for (const node of nodes) {
    if (node.type === "llm") llm++;
    else if (node.type === "http") http++;
    else if (node.type === "email") email++;
    const pastMs = past[node.id];
    let ms: number;
    if (typeof pastMs === "number" && Number.isFinite(pastMs) && pastMs >= 0) {
      ms = pastMs;
      known++;
    } else if (node.type === "delay") ms = (node.config as DelayConfig).ms;
    else ms = TYPICAL_MS[node.type];
    durations[node.id] = ms;
    work += ms;
  }
  const sub = {
    nodes,
    edges: definition.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
  const critical = criticalPath(sub, durations);
  const delayOnPath = critical.path.reduce((sum, id) => {
    const node = nodes.find((n) => n.id === id);
    return node?.type === "delay" && past[id] === undefined ? sum + (node.config as DelayConfig).ms : sum;
  }, 0);
  const concurrency = definition.settings?.maxConcurrency ?? 16;
  const estimatedMs = Math.round(Math.max(critical.length, work / concurrency));

  const reasons = [`${nodes.length} node${nodes.length === 1 ? "" : "s"}`];
  if (llm > 0) reasons.push(`${llm} LLM node${llm === 1 ? "" : "s"}`);
  if (http > 0) reasons.push(`${http} HTTP node${http === 1 ? "" : "s"}`);
  if (email > 0) reasons.push(`${email} email node${email === 1 ? "" : "s"}`);
  if (delayOnPath > 0) reasons.push(`${delayOnPath} ms of delays on the critical path`);
  if (known > 0) reasons.push(`past durations known for ${known} node${known === 1 ? "" : "s"}`);
  reasons.push(`critical path ≈ ${critical.length} ms, estimate ${estimatedMs} ms (budget ${budgetMs} ms)`);

  const large = nodes.length > LARGE_GRAPH;
  if (large) reasons.push(`more than ${LARGE_GRAPH} nodes`);
  const score = Math.round(nodes.length + llm * 10 + http * 3 + email * 3 + (100 * estimatedMs) / budgetMs);
  return {
    score,
    reasons,
    estimatedMs,
    suggestedMode: large || estimatedMs > budgetMs / 2 ? "queued" : "immediate",
  };
}
