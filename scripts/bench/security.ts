/**
 * Security part of `npm run bench`: the cost of what every request or node output pays for.
 * Redactor throughput on node outputs, the SSRF address check, the HTTP client against raw
 * undici (same local server, side by side) and session verification in proxy.ts. And a server-like
 * loop whose one request runs a runaway regex (on the expression isolate) while other clients'
 * `GET /` go on being answered.
 * Run: `npx tsx scripts/bench/security.ts`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Agent, request as undiciRequest } from "undici";
import { evaluateExpression, setExpressionIsolate } from "@/lib/engine/expressions";
import { resetEnv } from "@/lib/env";
import { blockedAddressReason } from "@/lib/http/address-policy";
import { createHttpClient } from "@/lib/http/client";
import { installExpressionIsolate } from "@/lib/sandbox/expression-isolate";
import { createSessionToken, verifySessionCookie } from "@/lib/security/auth";
import { capOutputSize } from "@/lib/security/limits";
import { createRedactor } from "@/lib/security/redact";

type Row = { what: string; value: number; unit: string; target: string; pass: boolean };
const rows: Row[] = [];

function time(fn: () => unknown, minMs = 400): number {
  for (let i = 0; i < 5; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}
async function timeAsync(fn: () => Promise<unknown>, count: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return (performance.now() - start) / count;
}

function output(items: number) {
  return {
    status: 200,
    headers: { "content-type": "application/json", server: "bench" },
    body: {
      items: Array.from({ length: items }, (_, i) => ({
        id: i,
        title: `Item number ${i} with some ordinary text in it`,
        tags: ["alpha", "beta", "gamma"],
        nested: { ok: i % 2 === 0, score: i * 1.5, note: "nothing secret here" },
      })),
    },
  };
}

const secrets = [
  "sk-live-4f9a8b7c6d5e4f3a2b1c",
  "hunter2-correct-horse",
  "AKIAIOSFODNN7EXAMPLE",
  "ghp_abcdefghijklmnop123456",
];
const redact = createRedactor(secrets);
const small = output(10);
const large = output(5000);
const largeBytes = Buffer.byteLength(JSON.stringify(large));
const smallMs = time(() => redact(small));
const largeMs = time(() => redact(large));
const stringifyMs = time(() => JSON.stringify(large));
const mbPerSec = largeBytes / 1024 / 1024 / (largeMs / 1000);
rows.push({
  what: "redact ~2 KB output (4 secrets)",
  value: smallMs * 1000,
  unit: "µs",
  target: "< 100 µs",
  pass: smallMs < 0.1,
});
rows.push({
  what: `redact ${(largeBytes / 1024 / 1024).toFixed(1)} MB output`,
  value: largeMs,
  unit: "ms",
  target: "< 100 ms",
  pass: largeMs < 100,
});
rows.push({
  what: "redact throughput",
  value: mbPerSec,
  unit: "MB/s",
  target: "> 20 MB/s",
  pass: mbPerSec > 20,
});
rows.push({
  what: "redact ÷ JSON.stringify (same value)",
  value: largeMs / stringifyMs,
  unit: "×",
  target: "< 5×",
  pass: largeMs / stringifyMs < 5,
});
const withSecret = { ...large, leaked: `Bearer ${secrets[0]}` };
const leakedMs = time(() => redact(withSecret));
rows.push({
  what: "redact 1 hit in large output",
  value: leakedMs,
  unit: "ms",
  target: "< 100 ms",
  pass: leakedMs < 100,
});
const capMs = time(() => capOutputSize(large, 1024 * 1024));
rows.push({
  what: "capOutputSize large output",
  value: capMs,
  unit: "ms",
  target: "< 50 ms",
  pass: capMs < 50,
});

const addresses = [
  "8.8.8.8",
  "127.0.0.1",
  "10.1.2.3",
  "::ffff:127.0.0.1",
  "2606:4700::1111",
  "64:ff9b::a00:1",
];
let k = 0;
const checkMs = time(() => blockedAddressReason(addresses[k++ % addresses.length] as string));
// Paid once per outbound connection, next to a round trip of ~1 ms even on loopback.
rows.push({
  what: "SSRF address check",
  value: checkMs * 1000,
  unit: "µs",
  target: "< 50 µs",
  pass: checkMs < 0.05,
});

process.env.APP_PASSWORD = "bench-password";
process.env.APP_SECRET = "bench-secret";
resetEnv();
const token = createSessionToken();
const verifyMs = time(() => verifySessionCookie(token));
rows.push({
  what: "session cookie verify",
  value: verifyMs * 1000,
  unit: "µs",
  target: "< 50 µs",
  pass: verifyMs < 0.05,
});

const payload = JSON.stringify(output(50));
const server = http.createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(payload);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const client = createHttpClient({ allowedHosts: [new URL(url).host] });
const agent = new Agent();
const count = 1500;
// Interleaved rounds so that warm-up and noise fall on both sides alike.
let oursMs = 0;
let rawMs = 0;
for (let round = 0; round < 3; round++) {
  rawMs += await timeAsync(async () => {
    const res = await undiciRequest(url, { dispatcher: agent });
    return JSON.parse(await res.body.text());
  }, count);
  oursMs += await timeAsync(() => client.request({ method: "GET", url }), count);
}
server.close();
await agent.close();
rows.push({
  what: "HTTP GET via guarded client",
  value: (oursMs / 3) * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "HTTP GET via raw undici",
  value: (rawMs / 3) * 1000,
  unit: "µs",
  target: "-",
  pass: true,
});
rows.push({
  what: "guarded client ÷ raw undici",
  value: oursMs / rawMs,
  unit: "×",
  target: "< 1.5×",
  pass: oursMs / rawMs < 1.5,
});

// A runaway expression in one request must not hold up another client (issue 17.2).
installExpressionIsolate();
const runaway = "$match(inputs.s, /\\d*\\d*\\d*\\d*x/)";
const appServer = http.createServer((req, res) => {
  if (req.url === "/run") {
    evaluateExpression(
      runaway,
      { inputs: { s: "1".repeat(200) }, nodes: {}, input: null },
      { nodeType: "transform", nodeId: "t1", field: "config.expression" },
    ).then(
      () => res.end("done"),
      (err: Error) => {
        res.statusCode = 422;
        res.end(err.message);
      },
    );
    return;
  }
  res.end("ok");
});
await new Promise<void>((r) => appServer.listen(0, "127.0.0.1", () => r()));
const appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
const appAgent = new Agent();
await undiciRequest(`${appUrl}/`, { dispatcher: appAgent }).then((r) => r.body.text());
const runStart = performance.now();
const runDone = undiciRequest(`${appUrl}/run`, { dispatcher: appAgent }).then(async (r) => ({
  status: r.statusCode,
  text: await r.body.text(),
  ms: performance.now() - runStart,
}));
let worstGetMs = 0;
let gets = 0;
await new Promise((r) => setTimeout(r, 100));
let settled = false;
void runDone.finally(() => {
  settled = true;
});
while (!settled) {
  const t = performance.now();
  await undiciRequest(`${appUrl}/`, { dispatcher: appAgent }).then((r) => r.body.text());
  worstGetMs = Math.max(worstGetMs, performance.now() - t);
  gets++;
  await new Promise((r) => setTimeout(r, 20));
}
const run = await runDone;
appServer.close();
await appAgent.close();
setExpressionIsolate(undefined);
rows.push({
  what: `GET / during a runaway regex (worst of ${gets})`,
  value: worstGetMs,
  unit: "ms",
  target: "< 100 ms",
  pass: worstGetMs < 100 && gets > 0,
});
rows.push({
  what: `  the runaway request: ${run.status} ${/ran past/.test(run.text) ? "killed" : "?"}`,
  value: run.ms,
  unit: "ms",
  target: "-",
  pass: run.status === 422,
});

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad("measure", 40)} ${pad("value", 14)} ${pad("target", 12)} result`);
for (const r of rows) {
  const value = `${r.value.toFixed(r.value < 10 ? 2 : 1)} ${r.unit}`;
  console.log(`${pad(r.what, 40)} ${pad(value, 14)} ${pad(r.target, 12)} ${r.pass ? "PASS" : "MISS"}`);
}
process.exit(0);
