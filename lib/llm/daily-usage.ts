import "server-only";
import { sql } from "drizzle-orm";
import { type Db, query } from "@/lib/db/client";

/** One UTC day of a workflow's runs and LLM spend. */
export interface DailyUsage {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  runs: number;
  tokens: number;
  costUsd: number;
  savedUsd: number;
}

/**
 * A workflow's runs, LLM tokens, cost and cache savings per UTC day over the last `days` days
 * (today included), oldest first, with empty days as zeros.
 */
export async function dailyUsage(
  db: Db,
  workflowId: string,
  days = 30,
  now = new Date(),
): Promise<DailyUsage[]> {
  const since = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)),
  ).toISOString();
  const rows = await query<{ day: string; runs: number; tokens: number; cost: number; saved: number }>(
    db,
    sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as runs,
          sum(llm_prompt_tokens + llm_completion_tokens)::int as tokens,
          sum(llm_cost_usd)::float8 as cost, sum(llm_saved_usd)::float8 as saved
        from executions
        where workflow_id = ${workflowId}
          and created_at >= ${since}::timestamptz
        group by 1`,
  );
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const series: DailyUsage[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - i))
      .toISOString()
      .slice(0, 10);
    const r = byDay.get(day);
    series.push({
      day,
      runs: Number(r?.runs ?? 0),
      tokens: Number(r?.tokens ?? 0),
      costUsd: Math.round(Number(r?.cost ?? 0) * 1e6) / 1e6,
      savedUsd: Math.round(Number(r?.saved ?? 0) * 1e6) / 1e6,
    });
  }
  return series;
}
