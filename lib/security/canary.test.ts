import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as GET_EXECUTION } from "@/app/api/executions/[id]/route";
import { POST as RUN_NODE } from "@/app/api/workflows/[id]/nodes/[nodeId]/run/route";
import { POST as RUN } from "@/app/api/workflows/[id]/run/route";
import { POST as CREATE } from "@/app/api/workflows/route";
import { type Database, query, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { redactForShare } from "@/lib/runs/share-redaction";
import { getExecutionByShareToken, revokeShare, shareExecution } from "@/lib/runs/shares";
import { createTestDatabase } from "@/lib/testing/db";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";

/** A secret with characters that every encoding changes. */
const CANARY = "Canary_9f2d/+x=y&z q~Ü";
const FORMS = {
  raw: CANARY,
  base64: Buffer.from(CANARY).toString("base64"),
  base64url: Buffer.from(CANARY).toString("base64url"),
  url: encodeURIComponent(CANARY),
  form: encodeURIComponent(CANARY).replace(/%20/g, "+"),
  basicAuth: Buffer.from(`user:${CANARY}`).toString("base64").slice(8, 28),
  // What JSONata's $base64encode (and btoa) produce: Latin-1 bytes.
  base64Latin1: Buffer.from(CANARY, "latin1").toString("base64"),
};

function leaks(text: string): string[] {
  return Object.entries(FORMS)
    .filter(([, form]) => text.includes(form))
    .map(([name]) => name);
}

/** Echoes what it received (header, query, body) back in every encoding; `/fail` as a 500. */
function startEchoServer() {
  return new Promise<{ port: number; seen: string[]; close(): Promise<void> }>((resolve) => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        const auth = req.headers.authorization ?? "";
        const key = new URL(req.url ?? "/", "http://x").searchParams.get("key") ?? "";
        seen.push(auth, key, body);
        const echoed = {
          auth,
          key,
          body,
          b64: Buffer.from(key).toString("base64"),
          b64url: Buffer.from(key).toString("base64url"),
          url: encodeURIComponent(key),
          basic: `Basic ${Buffer.from(`user:${key}`).toString("base64")}`,
        };
        const failing = req.url?.startsWith("/fail");
        res.writeHead(failing ? 500 : 200, {
          "content-type": "application/json",
          "x-echo": encodeURIComponent(key),
        });
        res.end(
          JSON.stringify(failing ? { error: `bad key ${key} (${echoed.b64}, ${echoed.url})` } : echoed),
        );
      });
    });
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        seen,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (path: string, body: unknown) =>
  new Request(`http://127.0.0.1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("secret canaries", () => {
  let database: Database;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let openai: OpenAiServer;
  const env = { ...process.env };
  const logged: string[] = [];

  beforeAll(async () => {
    echo = await startEchoServer();
    // The provider echoes the prompt (and base64 of it), so the answer carries the secret back.
    openai = await startOpenAiServer({
      reply: (req) => {
        const prompt = req.messages.at(-1)?.content ?? "";
        return `echo: ${prompt} / ${Buffer.from(prompt).toString("base64")}`;
      },
    });
    process.env.OPENAI_BASE_URL = openai.url;
    process.env.OPENAI_API_KEY = openai.apiKey;
    process.env.BRAID_SECRET_CANARY = CANARY;
    process.env.HTTP_ALLOWED_HOSTS = `127.0.0.1:${echo.port}`;
    process.env.IMMEDIATE_BUDGET_MS = "20000";
    resetEnv();
    database = await createTestDatabase();
    setDatabase(database);
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[level];
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(
          args
            .map((a) =>
              a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a),
            )
            .join(" "),
        );
        original(...args);
      });
    }
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    setDatabase(undefined);
    await database.close();
    await echo.close();
    await openai.close();
    process.env = env;
    resetEnv();
  });

  it("never lands in the database, API answers, events, logs or the share view", async () => {
    const base = `http://127.0.0.1:${echo.port}`;
    const definition = {
      version: 1,
      name: "Canary",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        {
          id: "fails",
          type: "http",
          onError: "continue",
          config: {
            method: "GET",
            url: `${base}/fail?key={{ $encodeUrlComponent(secrets.CANARY) }}`,
            headers: { authorization: "Bearer {{ secrets.CANARY }}" },
          },
        },
        {
          id: "echoes",
          type: "http",
          config: {
            method: "POST",
            url: `${base}/echo?key={{ $encodeUrlComponent(secrets.CANARY) }}`,
            headers: { authorization: "Bearer {{ secrets.CANARY }}" },
            body: { token: "{{ secrets.CANARY }}" },
          },
        },
        {
          id: "encodes",
          type: "transform",
          config: {
            expression:
              "{ 'raw': secrets.CANARY, 'b64': $base64encode(secrets.CANARY), 'url': $encodeUrlComponent(secrets.CANARY), 'basic': 'Basic ' & $base64encode('user:' & secrets.CANARY) }",
          },
        },
        { id: "asks", type: "llm", config: { model: "gpt-test", prompt: "{{ secrets.CANARY }}" } },
        { id: "out", type: "output", config: { value: "{ 'all': input }" } },
      ],
      edges: [
        { source: "start", target: "fails" },
        { source: "start", target: "echoes" },
        { source: "start", target: "encodes" },
        { source: "fails", target: "out" },
        { source: "echoes", target: "out" },
        { source: "encodes", target: "out" },
        { source: "start", target: "asks" },
        { source: "asks", target: "out" },
      ],
    };
    const created = await CREATE(post("/api/workflows", definition), undefined);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const run = await RUN(post(`/api/workflows/${id}/run`, { mode: "immediate", inputs: {} }), ctx(id));
    const runText = await run.text();
    expect(run.status, runText).toBe(200);
    const { executionId } = JSON.parse(runText) as { executionId: string };

    // The secret really went out: the server saw it, so a leak would have had something to leak.
    expect(echo.seen.some((s) => s.includes(CANARY))).toBe(true);

    const detail = await GET_EXECUTION(
      new Request(`http://127.0.0.1/api/executions/${executionId}`),
      ctx(executionId),
    );
    const detailText = await detail.text();
    expect(detail.status).toBe(200);
    const parsed = JSON.parse(detailText) as { nodes: Record<string, { status: string }> };
    expect(parsed.nodes.fails?.status).toBe("failed");
    expect(parsed.nodes.echoes?.status).toBe("succeeded");
    expect(parsed.nodes.encodes?.status).toBe("succeeded");
    expect(parsed.nodes.asks?.status).toBe("succeeded");

    const single = await RUN_NODE(post(`/api/workflows/${id}/nodes/encodes/run`, { input: {} }), {
      params: Promise.resolve({ id, nodeId: "encodes" }),
    });
    const singleText = await single.text();
    expect(single.status, singleText).toBe(200);
    expect(singleText).toContain("[REDACTED]");

    const tables = await query<{ name: string }>(
      database.db,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["executions", "node_runs", "execution_events"]),
    );
    let dump = "";
    for (const { name } of tables) {
      const rows = await query<{ t: string }>(database.db, sql.raw(`select t::text as t from "${name}" t`));
      dump += rows.map((r) => r.t).join("\n");
    }
    expect(dump).toContain("[REDACTED]");

    const { token } = await shareExecution(database.db, executionId);
    const shared = await getExecutionByShareToken(database.db, token);
    expect(shared).toBeDefined();
    const shareView = JSON.stringify(await redactForShare(database, shared as NonNullable<typeof shared>));

    expect({
      runAnswer: leaks(runText),
      executionApi: leaks(detailText),
      singleNodeAnswer: leaks(singleText),
      database: leaks(dump),
      logs: leaks(logged.join("\n")),
      shareView: leaks(shareView),
    }).toEqual({
      runAnswer: [],
      executionApi: [],
      singleNodeAnswer: [],
      database: [],
      logs: [],
      shareView: [],
    });
  });

  it("share tokens carry at least 128 random bits and a revoked one finds nothing", async () => {
    const created = await CREATE(
      post("/api/workflows", {
        version: 1,
        name: "Share",
        nodes: [
          { id: "start", type: "trigger", config: {} },
          { id: "out", type: "output", config: {} },
        ],
        edges: [{ source: "start", target: "out" }],
      }),
      undefined,
    );
    const { id } = (await created.json()) as { id: string };
    const run = await RUN(post(`/api/workflows/${id}/run`, { mode: "immediate" }), ctx(id));
    const { executionId } = (await run.json()) as { executionId: string };

    const { token, url } = await shareExecution(database.db, executionId);
    expect(url).toBe(`/share/${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(16);
    expect((await shareExecution(database.db, executionId)).token).toBe(token);
    expect(await getExecutionByShareToken(database.db, token)).toBeDefined();

    await revokeShare(database.db, executionId);
    expect(await getExecutionByShareToken(database.db, token)).toBeUndefined();
    const again = await shareExecution(database.db, executionId);
    expect(again.token).not.toBe(token);
    expect(await getExecutionByShareToken(database.db, token)).toBeUndefined();
    const tampered = `${again.token.slice(0, -1)}${again.token.endsWith("A") ? "B" : "A"}`;
    expect(await getExecutionByShareToken(database.db, tampered)).toBeUndefined();
  });
});
