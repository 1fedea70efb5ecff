/**
 * LLM part of `npm run bench`: cache-hit latency through Upstash REST (a local bridge to the real
 * Redis) and through Postgres, against a provider that takes 500 ms, as speed-up ratios measured
 * side by side; and how many provider calls 20 and 100 identical concurrent requests make, and
 * whether a repeat from a cold process is a hit. Everything runs with a CPU burner spinning on the
 * other core (issue 19 §1: a slow cache must not cost extra provider calls).
 * Run alone: `npx tsx scripts/bench/llm.ts`.
 */
import { randomUUID } from "node:crypto";
import type { LlmCache } from "@/lib/cache/llm-cache";
import { createPostgresCache } from "@/lib/cache/postgres-cache";
import { createUpstashCache } from "@/lib/cache/upstash-cache";
import type { LlmClient } from "@/lib/engine/ports";
import { createLlmClient } from "@/lib/llm/client";
import { startCpuBurner } from "@/lib/testing/cpu-burner";
import { createTestDatabase } from "@/lib/testing/db";
import { startOpenAiServer } from "@/lib/testing/openai-server";
import { deleteKeysWithPrefix } from "@/lib/testing/resp";
import { startUpstashBridge } from "@/lib/testing/upstash-bridge";

const PROVIDER_LATENCY_MS = 500;
const HITS = 300;
const UNCACHED = 6;
const CONCURRENT = 100;
const PROCESSES = 4;
const REDIS_URL = "redis://127.0.0.1:6379";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

/** Sequential calls: sorted latencies, and how many were not cache hits. */
async function timed(llm: LlmClient, prompt: string, n: number, cache = true) {
  const latencies: number[] = [];
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const result = await llm.complete({ model: "bench", prompt, cache });
    latencies.push(performance.now() - started);
    if (!result.cached) misses++;
  }
  return { latencies: latencies.sort((a, b) => a - b), misses };
}

interface Row {
  backend: string;
  hitP50: number;
  hitP95: number;
  misses: number;
  speedup: number;
  coalesced: number;
  coalesced20: number;
  coldRepeatHit: boolean;
  crossProcess: number;
}

async function main() {
  const server = await startOpenAiServer({ latencyMs: PROVIDER_LATENCY_MS });
  const token = `bench-${randomUUID()}`;
  const prefix = `braidbench:${randomUUID()}:`;
  const bridge = await startUpstashBridge({ redisUrl: REDIS_URL, token });
  const database = await createTestDatabase("postgres");
  const backends: [string, () => LlmCache][] = [
    ["Upstash REST (bridge → Redis)", () => createUpstashCache({ url: bridge.url, token, prefix })],
    ["Postgres (llm_cache table)", () => createPostgresCache(database.db)],
  ];
  const burner = await startCpuBurner();
  /** `recentMs: 0` measures the cache backend rather than the answers a process keeps in hand. */
  const clientOn = (cache: LlmCache, recentMs?: number) =>
    createLlmClient({ apiKey: server.apiKey, baseUrl: server.url, cache, recentMs });

  try {
    const baseline = await timed(
      createLlmClient({ apiKey: server.apiKey, baseUrl: server.url }),
      "baseline",
      UNCACHED,
      false,
    );
    const providerP50 = percentile(baseline.latencies, 50);
    const rows: Row[] = [];
    for (const [backend, open] of backends) {
      const llm = clientOn(open(), 0);
      const prompt = `hit ${randomUUID()}`;
      // Warm up until the entry is cached (a cold connection may be bypassed once).
      for (let i = 0; i < 10 && !(await llm.complete({ model: "bench", prompt })).cached; i++);
      await timed(llm, prompt, 20);
      const hits = await timed(llm, prompt, HITS);

      const before = server.calls;
      const same = { model: "bench", prompt: `coalesce ${randomUUID()}` };
      await Promise.all(Array.from({ length: CONCURRENT }, () => llm.complete(same)));
      const coalesced = server.calls - before;
      const before20 = server.calls;
      const same20 = { model: "bench", prompt: `coalesce20 ${randomUUID()}` };
      // On a fresh process: its first cache operations are cold.
      const fresh = clientOn(open());
      await Promise.all(Array.from({ length: 20 }, () => fresh.complete(same20)));
      const coalesced20 = server.calls - before20;
      // A repeat from a process that has never used its cache connection.
      const coldRepeatHit = (await clientOn(open()).complete(same)).cached;

      const beforeCross = server.calls;
      const processes = Array.from({ length: PROCESSES }, () => clientOn(open()));
      const cross = { model: "bench", prompt: `cross ${randomUUID()}` };
      await Promise.all(
        processes.flatMap((p) => Array.from({ length: CONCURRENT / PROCESSES }, () => p.complete(cross))),
      );
      const crossProcess = server.calls - beforeCross;

      const hitP50 = percentile(hits.latencies, 50);
      rows.push({
        backend,
        hitP50,
        hitP95: percentile(hits.latencies, 95),
        misses: hits.misses,
        speedup: providerP50 / hitP50,
        coalesced,
        coalesced20,
        coldRepeatHit,
        crossProcess,
      });
    }

    const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
    console.log("a CPU burner spins on another core throughout");
    console.log(
      `provider latency ${PROVIDER_LATENCY_MS} ms; uncached call p50 ${providerP50.toFixed(1)} ms (${UNCACHED} calls)`,
    );
    console.log(
      `cache hits: ${HITS} sequential calls after 20 warm-up; coalescing: ${CONCURRENT} identical concurrent calls`,
    );
    console.log("");
    const header = [
      "backend",
      "hit p50 ms",
      "hit p95 ms",
      "misses",
      "speed-up (p50)",
      "calls / 20",
      "calls / 100 (1 proc)",
      "cold repeat",
      `calls / 100 (${PROCESSES} procs)`,
    ];
    const table = rows.map((r) => [
      r.backend,
      r.hitP50.toFixed(2),
      r.hitP95.toFixed(2),
      `${r.misses}/${HITS}`,
      `${r.speedup.toFixed(0)}x ${verdict(r.speedup >= 20)}`,
      `${r.coalesced20} ${verdict(r.coalesced20 === 1)}`,
      `${r.coalesced} ${verdict(r.coalesced === 1)}`,
      `${r.coldRepeatHit ? "hit" : "miss"} ${verdict(r.coldRepeatHit)}`,
      `${r.crossProcess} ${verdict(r.crossProcess === 1)}`,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ");
    console.log(line(header));
    console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
    for (const row of table) console.log(line(row));
    console.log("");
    console.log(
      "targets: speed-up >= 20x over the provider; hit p95 < 25 ms; 1 provider call per 100 identical requests",
    );
    for (const r of rows)
      console.log(`  ${r.backend}: hit p95 ${r.hitP95.toFixed(2)} ms ${verdict(r.hitP95 < 25)}`);
  } finally {
    await burner.stop();
    await database.close();
    await bridge.close();
    await server.close();
    await deleteKeysWithPrefix(REDIS_URL, prefix).catch(() => 0);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
