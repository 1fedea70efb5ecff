/**
 * Telemetry part of `npm run bench` (`npx tsx scripts/bench/telemetry.ts`): the engine's CPU time
 * per node on a 10,000-node no-op DAG with no tracer (the default: tracing and metrics off cost one
 * optional property read), with the metrics tracer (prom-client histogram + retry counter), with
 * OpenTelemetry tracing (a span per node attempt, exported over OTLP/HTTP to a local receiver in a
 * child process, the export's CPU counted: each run ends with a flush; protobuf, the default, and
 * JSON), and with metrics and tracing both, interleaved
 * run by run so all see the same machine. Target: ≤ 10% added per node with tracing on. A no-op
 * node costs the engine 15–35 µs of CPU (the machine varies), so the µs added per node is the
 * figure to hold against real nodes (an HTTP or LLM node takes milliseconds).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { systemClock } from "@/lib/engine/clock";
import type { AttemptTracer, Clock, EnginePorts } from "@/lib/engine/ports";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { createMemoryJournal } from "@/lib/engine/testing/memory-journal";
import { combineTracers, createMetricsTracer } from "@/lib/telemetry/metrics";
import type { Otel } from "@/lib/telemetry/otel";
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

/**
 * An OTLP/HTTP receiver in a child process (its CPU is not this process's): the suite's receiver
 * (`lib/testing/otlp-receiver.ts`, protobuf and JSON), answering 200 and counting the spans it decoded.
 */
async function startReceiver(): Promise<{ url: string; spans: () => Promise<number>; close(): void }> {
  const module = path.resolve(import.meta.dirname, "../../lib/testing/otlp-receiver.ts");
  const code = `
    const http = await import("node:http");
    const { startOtlpReceiver } = await import(${JSON.stringify(module)});
    const receiver = await startOtlpReceiver();
    let dropped = 0;
    const counter = http.createServer((req, res) => res.end(String(dropped + receiver.spans.length)));
    counter.listen(0, "127.0.0.1", () => console.log(receiver.url + " " + counter.address().port));
    // Counted, then dropped, once a second: the receiver does not keep every span of the bench.
    setInterval(() => { dropped += receiver.spans.splice(0).length; }, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [url, countPort] = await new Promise<string[]>((resolve) =>
    child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim().split(" "))),
  );
  return {
    url: url!,
    spans: async () => Number(await (await fetch(`http://127.0.0.1:${countPort}/`)).text()),
    close: () => child.kill(),
  };
}

type Variant = { tracer?: AttemptTracer; otel?: Otel; metrics?: AttemptTracer };

async function cpuMs(definition: WorkflowDefinition, variant: Variant): Promise<number> {
  const c0 = process.cpuUsage();
  let tracer = variant.tracer;
  const trace = variant.otel?.startExecution({ executionId: "bench", workflowId: "bench", claims: 1 });
  if (trace) tracer = combineTracers(variant.metrics, trace.tracer);
  const outcome = await runWorkflow({ definition, inputs: {}, ports: ports(tracer) });
  trace?.end(outcome.status);
  await variant.otel?.flush();
  const c = process.cpuUsage(c0);
  if (outcome.status !== "succeeded") throw new Error(`no-op DAG ended ${outcome.status}`);
  return (c.user + c.system) / 1000;
}

async function main() {
  const receiver = await startReceiver();
  // Keep every span of a 10,001-node run (the default queue of 2048 would drop most, which is cheaper).
  process.env.OTEL_BSP_MAX_QUEUE_SIZE = "65536";
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  const { getTracing } = await import("@/lib/telemetry/tracing");
  // The default encoding (protobuf), as the app starts it; JSON for comparison.
  const otel = await getTracing();
  if (otel?.options.protocol !== "http/protobuf") throw new Error("tracing did not start");
  const { startOtel } = await import("@/lib/telemetry/otel");
  const otelJson = startOtel({ ...otel.options, protocol: "http/json" });
  const definition = noopDag();
  const n = definition.nodes.length;
  const metrics = createMetricsTracer();
  const variants: [string, Variant][] = [
    ["tracer off", {}],
    ["metrics on", { tracer: metrics }],
    ["tracing on", { otel }],
    ["tracing, JSON", { otel: otelJson }],
    ["metrics + tracing", { otel, metrics }],
  ];
  const samples = variants.map(() => [] as number[]);
  const runs = 15;
  for (let run = 0; run < runs; run++) {
    // Each run starts at another variant, so none always follows the same one (GC carry-over).
    for (let k = 0; k < variants.length; k++) {
      const i = (run + k) % variants.length;
      const ms = await cpuMs(definition, variants[i]![1]);
      if (run >= 2) samples[i]!.push(ms); // JIT warm-up
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const perNode = samples.map((xs) => (median(xs) * 1000) / n);
  const base = perNode[0]!;
  console.log(`engine CPU per node, ${n}-node no-op DAG, median of ${runs - 2} interleaved runs`);
  for (const [i, [name]] of variants.entries()) {
    const us = perNode[i]!;
    if (i === 0) {
      console.log(`  ${name.padEnd(20)} ${us.toFixed(1)} µs`);
      continue;
    }
    const added = us / base - 1;
    const verdict =
      name === "metrics on" || name === "tracing on"
        ? ` ${added <= 0.1 ? "PASS" : "MISS"} (target ≤ 10%)`
        : "";
    console.log(
      `  ${name.padEnd(20)} ${us.toFixed(1)} µs  (${added >= 0 ? "+" : ""}${(added * 100).toFixed(1)}%, ${(us - base).toFixed(1)} µs added)${verdict}`,
    );
  }
  const expected = 3 * (runs * (n + 1));
  await new Promise((r) => setTimeout(r, 1200));
  console.log(
    `  spans received: ${await receiver.spans()} of ${expected} (OTLP/HTTP protobuf and JSON, local receiver)`,
  );
  await otel.shutdown();
  await otelJson.shutdown();
  receiver.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
