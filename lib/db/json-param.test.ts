import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as runRoute } from "@/app/api/workflows/[id]/run/route";
import { type Database, setDatabase } from "@/lib/db/client";
import { readEvents } from "@/lib/events/store";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { insertWorkflow } from "@/lib/runs/testing/fixtures";
import { createTestDatabase, testDbKind } from "@/lib/testing/db";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { toJsonParam } from "./json-param";

const HIGH = "\ud83d";
const LOW = "\ude00";

describe("toJsonParam", () => {
  it.each([
    ["a NUL", "a\u0000b", '"a\\ufffdb"'],
    ["two NULs in a row", "\u0000\u0000", '"\\ufffd\\ufffd"'],
    ["a lone high surrogate", `a${HIGH}b`, '"a\\ufffdb"'],
    ["a lone low surrogate", `a${LOW}b`, '"a\\ufffdb"'],
    ["reversed halves", `${LOW}${HIGH}`, '"\\ufffd\\ufffd"'],
    ["a valid pair, kept", `a${HIGH}${LOW}b`, '"a😀b"'],
    ["an escaped backslash before u0000 text", "\\u0000", '"\\\\u0000"'],
    ["an escaped backslash before a NUL", "\\\u0000", '"\\\\\\ufffd"'],
    ["escape-like text of a surrogate", "\\ud83d", '"\\\\ud83d"'],
  ])("%s", (_name, value, expected) => {
    expect(toJsonParam(value)).toBe(expected);
    expect(JSON.parse(toJsonParam({ k: [value] }))).toEqual({ k: [JSON.parse(expected)] });
  });

  it("turns bigints into strings, cycles into a marker and undefined into null", () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    expect(JSON.parse(toJsonParam(cyclic))).toEqual({ n: "1", self: "[circular]" });
    expect(toJsonParam(undefined)).toBe("null");
  });
});

/** trigger → transform splitting an emoji into its UTF-16 halves → output. */
const definition: WorkflowDefinition = {
  version: 1,
  name: "lone surrogates",
  nodes: [
    { id: "start", type: "trigger", config: {} },
    { id: "split", type: "transform", config: { expression: "$split('a😀b', '')" } },
    { id: "out", type: "output", config: {} },
  ],
  edges: [
    { source: "start", target: "split" },
    { source: "split", target: "out" },
  ],
};

describe(`a run whose output holds lone surrogates, on ${testDbKind}`, () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.close();
  });

  it("succeeds and reads back with U+FFFD in place of each lone surrogate", async () => {
    const id = await insertWorkflow(database.db, definition);
    const res = await runRoute(
      new Request(`http://localhost/api/workflows/${id}/run`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mode: "immediate" }),
      }),
      { params: Promise.resolve({ id }) },
    );
    const body = await res.json();
    expect(body.error).toBeUndefined();
    expect(body.status).toBe("succeeded");
    const detail = await getExecutionDetail(database.db, body.executionId);
    const stored = ["a", "\ufffd", "\ufffd", "b"];
    expect(detail?.status).toBe("succeeded");
    expect(detail?.nodes.split?.output).toEqual(stored);
    expect(detail?.outputs).toEqual({ out: stored });
    const events = await readEvents(database.db, body.executionId, 0);
    const split = events.find((e) => e.type === "node" && e.payload.nodeId === "split" && e.payload.output);
    expect(split?.payload.output).toEqual(stored);
  });
});
