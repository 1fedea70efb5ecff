import "server-only";
import { sql } from "drizzle-orm";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { type Db, query } from "@/lib/db/client";
import type { BudgetPort, LlmRequest, LlmResult } from "@/lib/engine/ports";
import type { LlmBudget } from "@/lib/workflow/schema";
import { costOf, DEFAULT_PRICES, type PriceTable, priceOf, roundUsd } from "./prices";

/** An execution's LLM spend as stored on its row. */
export interface LlmTotals {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  savedUsd: number;
}

/** Thrown (and used as the abort reason) when an execution's LLM budget is exceeded. */
export class BudgetExceededError extends Error {
  readonly code = "budget_exceeded";
  constructor(message: string) {
    super(message);
    this.name = "BudgetExceededError";
  }
}

/** Chat overhead per message (role and separators), as OpenAI counts it. */
const PER_MESSAGE_TOKENS = 4;

/**
 * The prompt tokens of a request, estimated with the o200k tokenizer (the GPT-4o, 4.1, 5 and
 * o-series encoding) plus per-message overhead: close for OpenAI models, an estimate for others.
 */
export function estimatePromptTokens(req: Pick<LlmRequest, "prompt" | "system">): number {
  let tokens = countTokens(req.prompt) + PER_MESSAGE_TOKENS + 3;
  if (req.system) tokens += countTokens(req.system) + PER_MESSAGE_TOKENS;
  return tokens;
}

const describeSpend = (totals: LlmTotals, budget: LlmBudget): string => {
  const parts: string[] = [];
  const tokens = totals.promptTokens + totals.completionTokens;
  if (budget.maxTokens !== undefined) parts.push(`${tokens} of ${budget.maxTokens} tokens`);
  if (budget.maxCostUsd !== undefined) {
    parts.push(`$${totals.costUsd.toFixed(6)} of $${budget.maxCostUsd}`);
  }
  return parts.join(", ");
};

/** Whether totals are over a budget. */
export function overBudget(totals: LlmTotals, budget: LlmBudget | null | undefined): boolean {
  if (!budget) return false;
  const tokens = totals.promptTokens + totals.completionTokens;
  if (budget.maxTokens !== undefined && tokens > budget.maxTokens) return true;
  return budget.maxCostUsd !== undefined && totals.costUsd > budget.maxCostUsd;
}

type Row = {
  budget: LlmBudget | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  saved_usd: number;
};
const totalsOf = (row: Row): LlmTotals => ({
  promptTokens: Number(row.prompt_tokens),
  completionTokens: Number(row.completion_tokens),
  costUsd: Number(row.cost_usd),
  savedUsd: Number(row.saved_usd),
});
/** The run request's budget, else the workflow's `settings.budget`. */
const BUDGET = sql`coalesce(budget, definition->'settings'->'budget')`;

/**
 * The budget port of one execution, on its row: totals (`llm_*` columns) are added to by every
 * call of every runner of the execution, so the budget spans hand-offs, resumes and retries.
 * Provider calls are charged their tokens and cost; cached answers add only what they saved.
 * Before a call, the prompt's token estimate plus its `maxTokens` (and their price, when the model
 * has one) must fit what is left.
 */
export function createExecutionBudget(
  db: Db,
  executionId: string,
  options: { prices?: PriceTable } = {},
): BudgetPort {
  const prices = options.prices ?? DEFAULT_PRICES;
  const controller = new AbortController();
  const exceed = (totals: LlmTotals, budget: LlmBudget, what: string): never => {
    const error = new BudgetExceededError(`LLM budget exceeded${what}: ${describeSpend(totals, budget)}`);
    if (!controller.signal.aborted) controller.abort(error);
    throw error;
  };

  return {
    signal: controller.signal,
    async beforeCall(req) {
      if (controller.signal.aborted) throw controller.signal.reason;
      const [row] = await query<Row>(
        db,
        sql`select ${BUDGET} as budget, llm_prompt_tokens as prompt_tokens,
              llm_completion_tokens as completion_tokens, llm_cost_usd as cost_usd, llm_saved_usd as saved_usd
            from executions where id = ${executionId}`,
      );
      const budget = row?.budget;
      if (!row || !budget || (budget.maxTokens === undefined && budget.maxCostUsd === undefined)) return;
      const totals = totalsOf(row);
      if (overBudget(totals, budget)) exceed(totals, budget, "");
      const promptTokens = estimatePromptTokens(req);
      const completionTokens = req.maxTokens ?? 0;
      const estimate: LlmTotals = {
        promptTokens: totals.promptTokens + promptTokens,
        completionTokens: totals.completionTokens + completionTokens,
        costUsd: roundUsd(
          totals.costUsd +
            (priceOf(prices, req.model)
              ? (costOf(prices, req.model, { promptTokens, completionTokens }) ?? 0)
              : 0),
        ),
        savedUsd: totals.savedUsd,
      };
      if (overBudget(estimate, budget)) {
        exceed(
          estimate,
          budget,
          ` before calling ${req.model} (estimated ${promptTokens} prompt + ${completionTokens} max tokens)`,
        );
      }
    },
    async afterCall(_req, result: LlmResult) {
      const promptTokens = result.cached ? 0 : result.usage.promptTokens;
      const completionTokens = result.cached ? 0 : result.usage.completionTokens;
      const costUsd = result.cached ? 0 : (result.costUsd ?? 0);
      const savedUsd = result.cached ? (result.savedUsd ?? 0) : 0;
      const [row] = await query<Row>(
        db,
        sql`update executions set
              llm_prompt_tokens = llm_prompt_tokens + ${promptTokens},
              llm_completion_tokens = llm_completion_tokens + ${completionTokens},
              llm_cost_usd = llm_cost_usd + ${costUsd},
              llm_saved_usd = llm_saved_usd + ${savedUsd}
            where id = ${executionId}
            returning ${BUDGET} as budget, llm_prompt_tokens as prompt_tokens,
              llm_completion_tokens as completion_tokens, llm_cost_usd as cost_usd, llm_saved_usd as saved_usd`,
      );
      if (row?.budget && overBudget(totalsOf(row), row.budget)) exceed(totalsOf(row), row.budget, "");
    },
  };
}

/** An execution row's LLM totals, rounded. */
export function llmTotalsOf(row: {
  llmPromptTokens: number;
  llmCompletionTokens: number;
  llmCostUsd: number;
  llmSavedUsd: number;
}): LlmTotals {
  return {
    promptTokens: row.llmPromptTokens,
    completionTokens: row.llmCompletionTokens,
    costUsd: roundUsd(row.llmCostUsd),
    savedUsd: roundUsd(row.llmSavedUsd),
  };
}
