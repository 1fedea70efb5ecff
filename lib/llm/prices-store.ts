import "server-only";
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import { AppError, parseOrThrow } from "@/lib/api/errors";
import type { Db } from "@/lib/db/client";
import { llmPrices } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";
import { DEFAULT_PRICES, type ModelPrice, type PriceTable, parsePrices } from "./prices";

/**
 * The price table in force: the shipped defaults, then `LLM_PRICES` over them, then the rows of
 * `llm_prices` (the settings page) over both. Each process keeps the merged table for
 * `PRICES_TTL_MS` (a change made in this process applies at once; other processes see it within
 * that time).
 */
export const PRICES_TTL_MS = 5_000;

/** Where a model's price comes from. */
export type PriceSource = "default" | "env" | "stored";

/** One row of the settings page: the price in force and where it comes from. */
export interface PriceEntry extends ModelPrice {
  model: string;
  source: PriceSource;
  /** For a stored price: the price it overrides (from `LLM_PRICES` or the defaults), if any. */
  overrides?: ModelPrice & { source: Exclude<PriceSource, "stored"> };
  updatedAt?: string;
}

/** USD per million tokens; form fields arrive as strings (blank is missing, not 0). */
const usdPerMillion = z.preprocess(
  (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v),
  z
    .number({ error: "a number of USD per million tokens is required" })
    .min(0, "at least 0")
    .max(100_000, "at most 100000"),
);

/** The body of a price change: model name and USD per million tokens, input and output. */
export const PriceInput = z.strictObject({
  model: z
    .string()
    .trim()
    .min(1, "a model name is required")
    .max(200, "at most 200 characters")
    .regex(/^[\w.:/@+-]+$/, "letters, digits and . : / @ + - _ only"),
  input: usdPerMillion,
  output: usdPerMillion,
});
export type PriceInput = z.infer<typeof PriceInput>;

const cache = new WeakMap<Db, { table: PriceTable; until: number; env: string | undefined }>();

/** Defaults with `LLM_PRICES` over them (throws on a bad `LLM_PRICES`, naming the entry). */
function configuredPrices(): PriceTable {
  return parsePrices(getEnv().LLM_PRICES);
}

/** The stored prices, by model. */
async function storedPrices(db: Db): Promise<PriceTable> {
  const rows = await db.select().from(llmPrices);
  return Object.fromEntries(
    rows.map((r) => [r.model, { input: r.inputPerMillion, output: r.outputPerMillion }]),
  );
}

/** The merged price table (defaults < `LLM_PRICES` < stored), read at most every `PRICES_TTL_MS`. */
export async function loadPrices(db: Db): Promise<PriceTable> {
  const env = getEnv().LLM_PRICES;
  const hit = cache.get(db);
  if (hit && hit.until > Date.now() && hit.env === env) return hit.table;
  const table = { ...configuredPrices(), ...(await storedPrices(db)) };
  cache.set(db, { table, until: Date.now() + PRICES_TTL_MS, env });
  return table;
}

/**
 * The merged table last loaded for `db` (without a database read): what the process-wide LLM
 * client prices calls with. Runners load it before each run, so it is at most `PRICES_TTL_MS` old.
 */
export function currentPrices(db: Db): PriceTable {
  const hit = cache.get(db);
  return hit && hit.env === getEnv().LLM_PRICES ? hit.table : configuredPrices();
}

/** Every priced model, with its source, sorted by name (the settings page). */
export async function listPrices(db: Db): Promise<PriceEntry[]> {
  const env = getEnv().LLM_PRICES;
  const configured = configuredPrices();
  // parsePrices spreads the defaults: an entry that is not the very default object came from LLM_PRICES.
  const fromEnv = new Set(
    Object.keys(configured).filter((m) => env !== undefined && configured[m] !== DEFAULT_PRICES[m]),
  );
  const rows = await db.select().from(llmPrices).orderBy(asc(llmPrices.model));
  const entries = new Map<string, PriceEntry>();
  for (const [model, price] of Object.entries(configured))
    entries.set(model, { model, ...price, source: fromEnv.has(model) ? "env" : "default" });
  for (const r of rows) {
    const below = entries.get(r.model);
    const entry: PriceEntry = {
      model: r.model,
      input: r.inputPerMillion,
      output: r.outputPerMillion,
      source: "stored",
      updatedAt: r.updatedAt.toISOString(),
    };
    if (below && below.source !== "stored")
      entry.overrides = { input: below.input, output: below.output, source: below.source };
    entries.set(r.model, entry);
  }
  return [...entries.values()].sort((a, b) => a.model.localeCompare(b.model));
}

/** Stores (or replaces) a model's price; refuses with 422 naming the field. Applies in this process at once. */
export async function setStoredPrice(db: Db, body: unknown): Promise<PriceInput> {
  const price = parseOrThrow(PriceInput, body);
  await db
    .insert(llmPrices)
    .values({ model: price.model, inputPerMillion: price.input, outputPerMillion: price.output })
    .onConflictDoUpdate({
      target: llmPrices.model,
      set: { inputPerMillion: price.input, outputPerMillion: price.output, updatedAt: new Date() },
    });
  cache.delete(db);
  return price;
}

/** Removes a stored price (the model falls back to `LLM_PRICES` or the defaults); 404 when none is stored. */
export async function removeStoredPrice(db: Db, model: string): Promise<void> {
  const removed = await db
    .delete(llmPrices)
    .where(eq(llmPrices.model, model))
    .returning({ model: llmPrices.model });
  cache.delete(db);
  if (removed.length === 0)
    throw new AppError(404, "not_found", `model: no stored price for "${model}"`, [
      { path: "model", code: "not_found", message: `no stored price for "${model}"` },
    ]);
}
