import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as RUN } from "@/app/api/workflows/[id]/run/route";
import { POST as CREATE } from "@/app/api/workflows/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { createTestDatabase } from "@/lib/testing/db";

/** The SSRF guard seen from a real run: http nodes go through it, whatever URL the template makes. */
describe("http nodes in a run cannot reach private addresses", () => {
  let database: Database;
  let canary: net.Server;
  let port = 0;
  let accepted = 0;
  const env = { ...process.env };

  beforeAll(async () => {
    delete process.env.HTTP_ALLOWED_HOSTS;
    delete process.env.HTTP_ALLOW_PRIVATE_NETWORK;
    process.env.IMMEDIATE_BUDGET_MS = "20000";
    resetEnv();
    canary = net.createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    await new Promise<void>((r) => canary.listen(0, "127.0.0.1", () => r()));
    port = (canary.address() as AddressInfo).port;
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database.close();
    await new Promise((r) => canary.close(r));
    process.env = env;
    resetEnv();
  });

  it("fails each http node with ssrf_blocked and opens no socket", async () => {
    const targets = [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://2130706433:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      "http://169.254.169.254/latest/meta-data/",
      "{{ inputs.target }}",
    ];
    const definition = {
      version: 1,
      name: "SSRF",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        ...targets.map((url, i) => ({
          id: `h${i}`,
          type: "http",
          onError: "continue",
          config: { method: "GET", url },
        })),
      ],
      edges: targets.map((_, i) => ({ source: "start", target: `h${i}` })),
    };
    const created = await CREATE(
      new Request("http://127.0.0.1/api/workflows", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(definition),
      }),
      undefined,
    );
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const res = await RUN(
      new Request(`http://127.0.0.1/api/workflows/${id}/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mode: "immediate", inputs: { target: `http://0x7f.1:${port}/admin` } }),
      }),
      { params: Promise.resolve({ id }) },
    );
    const answer = (await res.json()) as {
      nodes: Record<string, { status: string; error?: { message: string; code?: string } }>;
    };
    expect(res.status).toBe(200);
    targets.forEach((url, i) => {
      const node = answer.nodes[`h${i}`];
      expect(node?.status, url).toBe("failed");
      expect(node?.error, url).toMatchObject({
        code: "ssrf_blocked",
        message: expect.stringMatching(/^blocked: /),
      });
    });
    expect(accepted).toBe(0);
  });
});
