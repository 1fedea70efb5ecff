import { formatUsd } from "@/components/execution/cost";
import type { DailyUsage } from "@/lib/llm/daily-usage";

const WIDTH = 640;
const HEIGHT = 120;
const PAD = 4;

/**
 * A small SVG chart of a workflow's last days: a bar per day for LLM cost (solid) with the cache
 * savings stacked on it (light), and the runs as dots; every bar has its figures as a tooltip.
 */
export function DailyUsageChart({ series }: { series: DailyUsage[] }) {
  const totals = series.reduce(
    (t, d) => ({
      runs: t.runs + d.runs,
      tokens: t.tokens + d.tokens,
      costUsd: t.costUsd + d.costUsd,
      savedUsd: t.savedUsd + d.savedUsd,
    }),
    { runs: 0, tokens: 0, costUsd: 0, savedUsd: 0 },
  );
  const maxUsd = Math.max(...series.map((d) => d.costUsd + d.savedUsd), 1e-9);
  const maxRuns = Math.max(...series.map((d) => d.runs), 1);
  const slot = (WIDTH - PAD * 2) / Math.max(series.length, 1);
  const bar = Math.max(2, slot - 3);
  const y = (usd: number) => ((HEIGHT - PAD * 2) * usd) / maxUsd;
  return (
    <section className="card" aria-label="Daily usage" data-testid="daily-usage-chart">
      <div className="row" style={{ justifyContent: "space-between", padding: "12px 16px 0" }}>
        <strong>Last {series.length} days</strong>
        <span className="muted" data-testid="daily-usage-totals">
          {totals.runs} runs · {totals.tokens} tokens · {formatUsd(Math.round(totals.costUsd * 1e6) / 1e6)} ·
          saved {formatUsd(Math.round(totals.savedUsd * 1e6) / 1e6)}
        </span>
      </div>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        height={HEIGHT}
        role="img"
        aria-label={`LLM cost, savings and runs per day over the last ${series.length} days`}
        style={{ display: "block", padding: "8px 12px 12px" }}
      >
        {series.map((d, i) => {
          const x = PAD + i * slot;
          const cost = y(d.costUsd);
          const saved = y(d.savedUsd);
          const runsY = HEIGHT - PAD - ((HEIGHT - PAD * 2) * d.runs) / maxRuns;
          return (
            <g key={d.day} data-day={d.day} data-runs={d.runs}>
              <title>
                {`${d.day}: ${d.runs} runs, ${d.tokens} tokens, ${formatUsd(d.costUsd)}, saved ${formatUsd(d.savedUsd)}`}
              </title>
              <rect x={x} y={PAD} width={bar} height={HEIGHT - PAD * 2} fill="transparent" />
              <rect x={x} y={HEIGHT - PAD - cost} width={bar} height={cost} fill="var(--accent, #6366f1)" />
              <rect
                x={x}
                y={HEIGHT - PAD - cost - saved}
                width={bar}
                height={saved}
                fill="var(--accent, #6366f1)"
                opacity={0.35}
              />
              {d.runs > 0 ? <circle cx={x + bar / 2} cy={runsY} r={2.5} fill="currentColor" /> : null}
            </g>
          );
        })}
      </svg>
    </section>
  );
}
