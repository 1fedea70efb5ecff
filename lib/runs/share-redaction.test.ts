import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import type { ExecutionDetail } from "@/lib/runs/get-execution";
import { createTestDatabase } from "@/lib/testing/db";
import { redactForShare } from "./share-redaction";

const STORED = "stored-secret-4a8e";
const OPENAI = "sk-test-openai-key-9f2c";
const SMTP_PASSWORD = "p@ss-smtp-77";

function detailWith(value: string): ExecutionDetail {
  return {
    id: "e1",
    workflowId: "w1",
    workflowVersion: 1,
    status: "failed",
    mode: "immediate",
    inputs: { token: value },
    outputs: { out: `Bearer ${value}` },
    error: { message: `call failed with ${value}` },
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    progress: { finished: 1, total: 1 },
    tags: [],
    triggerId: null,
    nodeId: null,
    handedOff: false,
    nodes: {
      start: {
        status: "failed",
        attempts: 1,
        startedAt: null,
        finishedAt: null,
        durationMs: null,
        input: { headers: { authorization: value } },
        output: [value],
        error: { message: value },
        cached: false,
      },
    },
    logs: [{ at: "2026-01-01T00:00:00.000Z", level: "warn", message: `retrying with ${value}` }],
    definition: {
      version: 1,
      name: `uses ${value}`,
      nodes: [{ id: "start", type: "trigger", name: value, config: {} }],
      edges: [],
    },
    eventSeq: 1,
  };
}

let database: Database;
const saved = { ...process.env };

beforeAll(async () => {
  process.env.BRAID_SECRET_SHARE_TEST = STORED;
  process.env.OPENAI_API_KEY = OPENAI;
  process.env.SMTP_URL = `smtp://mailer:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:2525`;
  resetEnv();
  database = await createTestDatabase();
});
afterAll(async () => {
  process.env = saved;
  resetEnv();
  await database.close();
});

describe("redactForShare", () => {
  it.each([
    ["a stored secret", STORED],
    ["the OpenAI key", OPENAI],
    ["the SMTP password", SMTP_PASSWORD],
  ])("removes %s from every part of an execution", async (_, value) => {
    const detail = detailWith(value);
    const redacted = await redactForShare(database, detail);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain(value);
    expect(redacted.definition.nodes[0]?.name).toBe("[REDACTED]");
    expect(redacted.nodes.start?.input).toEqual({ headers: { authorization: "[REDACTED]" } });
    expect(redacted.logs[0]?.message).toBe("retrying with [REDACTED]");
    // The original is left alone; everything else is unchanged.
    expect(detail.inputs).toEqual({ token: value });
    expect(redacted.id).toBe("e1");
    expect(redacted.progress).toEqual({ finished: 1, total: 1 });
  });

  it("leaves an execution without secrets as it is", async () => {
    const detail = detailWith("nothing-to-hide");
    expect(await redactForShare(database, detail)).toEqual(detail);
  });
});
