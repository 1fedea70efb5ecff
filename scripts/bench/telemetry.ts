/**
 * Telemetry part of `npm run bench` (`npx tsx scripts/bench/telemetry.ts`): the engine's CPU time
 * per node on a 10,000-node no-op DAG with no tracer (the default: the hook costs one optional
 * property read) and with the metrics tracer (prom-client histogram + retry counter), interleaved
 * run by run so both see the same machine. Target: metrics ≤ 10% added per node.
 * OTLP tracing is not implemented yet, so there is no "tracing on" column.
 */
import { performance } from "node:perf_hooks";
import { systemClock } from "@/lib/engine/clock";
import type { AttemptTracer, Clock, EnginePorts } from "@/lib/engine/ports";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { createMemoryJournal } from "@/lib/engine/testing/memory-journal";
import { createMetricsTracer } from "@/lib/telemetry/metrics";
import type { WorkflowDefinition } from "@/lib/workflow/schema";

const preciseClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: systemClock.sleep,
};

function ports(tracer?: AttemptTracer): EnginePorts {
  const fail = async () => {
    throw new Error("not used in this benchmark");
  };
  return {
    journal: createMemoryJournal({}, { keepHistory: false }),
    events: { emit() {} },
    http: { request: fail },
    llm: { complete: fail },
    mailer: { send: fail },
    clock: preciseClock,
    tracer,
  };
}

/** 10,000 transform nodes: 100 chains of 100. */
function noopDag(): WorkflowDefinition {
  const nodes: WorkflowDefinition["nodes"] = [{ id: "start", type: "trigger", config: {} }];
  const edges: WorkflowDefinition["edges"] = [];
  for (let c = 0; c < 100; c++) {
    for (let i = 0; i < 100; i++) {
      const id = `n${c}_${i}`;
      nodes.push({ id, type: "transform", config: { expression: i % 2 === 0 ? "1" : "input" } });
      edges.push({ source: i === 0 ? "start" : `n${c}_${i - 1}`, target: id });
    }
  }
  return { version: 1, name: "noop", nodes, edges, settings: { maxConcurrency: 16 } };
}

async function cpuMs(definition: WorkflowDefinition, tracer?: AttemptTracer): Promise<number> {
  const c0 = process.cpuUsage();
  const outcome = await runWorkflow({ definition, inputs: {}, ports: ports(tracer) });
  const c = process.cpuUsage(c0);
  if (outcome.status !== "succeeded") throw new Error(`no-op DAG ended ${outcome.status}`);
  return (c.user + c.system) / 1000;
}

async function main() {
  const definition = noopDag();
  const n = definition.nodes.length;
  const metrics = createMetricsTracer();
  const off: number[] = [];
  const on: number[] = [];
  for (let run = 0; run < 9; run++) {
    const a = await cpuMs(definition);
    const b = await cpuMs(definition, metrics);
    if (run < 2) continue; // JIT warm-up
    off.push(a);
    on.push(b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const perNodeOff = (median(off) * 1000) / n;
  const perNodeOn = (median(on) * 1000) / n;
  const added = perNodeOn / perNodeOff - 1;
  console.log(`engine CPU per node, ${n}-node no-op DAG, median of ${off.length} interleaved runs`);
  console.log(`  tracer off:  ${perNodeOff.toFixed(1)} µs`);
  console.log(
    `  metrics on:  ${perNodeOn.toFixed(1)} µs  (${added >= 0 ? "+" : ""}${(added * 100).toFixed(1)}%) ${added <= 0.1 ? "PASS" : "MISS"} (target ≤ 10%)`,
  );
  console.log("  tracing on:  not measured (OTLP export not implemented yet)");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
