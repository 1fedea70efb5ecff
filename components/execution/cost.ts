import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";

/** USD as "$1.25", "$0.0123", "$0.000004"; "$0" for zero; an em dash when unknown. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return "—";
  if (usd === 0) return "$0";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(3))}`.replace(/e-(\d+)$/, (_m, e) => `e-${e}`);
}

/** A node's LLM figures, when it has any: tokens, cost (null: unpriced model), savings. */
export interface NodeCost {
  promptTokens: number;
  completionTokens: number;
  costUsd: number | null | undefined;
  savedUsd: number | null | undefined;
  cached: boolean;
}

/** The LLM figures of a node's detail, or undefined for a node that is not an LLM call. */
export function nodeCostOf(detail: ExecutionNodeDetail | undefined): NodeCost | undefined {
  const output = detail?.output as
    | {
        usage?: { promptTokens?: number; completionTokens?: number };
        costUsd?: number | null;
        savedUsd?: number | null;
      }
    | null
    | undefined;
  if (!output?.usage) return undefined;
  return {
    promptTokens: output.usage.promptTokens ?? 0,
    completionTokens: output.usage.completionTokens ?? 0,
    costUsd: output.costUsd ?? detail?.costUsd,
    savedUsd: output.savedUsd ?? detail?.savedUsd,
    cached: detail?.cached ?? false,
  };
}

/** The short label of a node's cost: "saved $0.0123" for a cached answer, else "$0.0004" or "no price". */
export function nodeCostLabel(cost: NodeCost): string {
  if (cost.cached) return cost.savedUsd ? `saved ${formatUsd(cost.savedUsd)}` : "saved (no price)";
  return cost.costUsd === null || cost.costUsd === undefined ? "no price" : formatUsd(cost.costUsd);
}

/**
 * An execution's LLM totals: the stored totals (every attempt) once it has finished, else the sum
 * of its nodes' last attempts as they stream in.
 */
export function executionCostOf(
  state: ExecutionDetail,
  terminal: boolean,
): NonNullable<ExecutionDetail["cost"]> {
  if (terminal && state.cost) return state.cost;
  const total = { promptTokens: 0, completionTokens: 0, costUsd: 0, savedUsd: 0 };
  for (const detail of Object.values(state.nodes)) {
    const cost = nodeCostOf(detail);
    if (!cost) continue;
    if (cost.cached) {
      total.savedUsd += cost.savedUsd ?? 0;
      continue;
    }
    total.promptTokens += cost.promptTokens;
    total.completionTokens += cost.completionTokens;
    total.costUsd += cost.costUsd ?? 0;
  }
  return {
    ...total,
    costUsd: Math.round(total.costUsd * 1e6) / 1e6,
    savedUsd: Math.round(total.savedUsd * 1e6) / 1e6,
  };
}
