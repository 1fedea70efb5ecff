import { z } from "zod";

/** USD per million tokens, input (prompt) and output (completion). */
export const ModelPrice = z.strictObject({
  input: z.number().min(0).max(100_000),
  output: z.number().min(0).max(100_000),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

/** A price table by model name (`LLM_PRICES`, SPEC §6). */
export const PriceTable = z.record(z.string().min(1).max(200), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;

/** When the shipped defaults were taken from OpenAI's pricing page. Prices change: override with `LLM_PRICES`. */
export const DEFAULT_PRICES_TAKEN_ON = "2025-08-07";

/** Standard (non-batch, uncached-input) OpenAI prices as of `DEFAULT_PRICES_TAKEN_ON`. */
export const DEFAULT_PRICES: PriceTable = {
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  o3: { input: 2, output: 8 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
};

/**
 * Parses `LLM_PRICES` (JSON) and merges it over the defaults. Throws naming the bad entry, so a
 * typo is found at start-up rather than recorded as a wrong cost.
 */
export function parsePrices(json: string | undefined): PriceTable {
  if (json === undefined || json.trim() === "") return { ...DEFAULT_PRICES };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new Error(`LLM_PRICES is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = PriceTable.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`LLM_PRICES.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`);
  }
  return { ...DEFAULT_PRICES, ...parsed.data };
}

/** The price of a model: its exact name, else the name without a dated suffix (`gpt-4o-2024-08-06`). */
export function priceOf(prices: PriceTable, model: string): ModelPrice | undefined {
  const exact = prices[model];
  if (exact) return exact;
  const undated = model.replace(/-\d{4}-\d{2}-\d{2}$/, "");
  return undated !== model ? prices[undated] : undefined;
}

/** USD for the given token counts, or null when the model has no price (never a guess). */
export function costOf(
  prices: PriceTable,
  model: string,
  usage: { promptTokens: number; completionTokens: number },
): number | null {
  const price = priceOf(prices, model);
  if (!price) return null;
  return roundUsd((usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000);
}

/** Rounds to a millionth of a dollar (no float dust in stored totals). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
