import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisAvailable, TEST_REDIS_URL } from "./redis";
import { deleteKeysWithPrefix } from "./resp";
import { startUpstashBridge, type UpstashBridge } from "./upstash-bridge";

const prefix = `braidtest:${randomUUID()}:`;
const token = `tok-${randomUUID()}`;
let bridge: UpstashBridge;

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

const redisUp = await redisAvailable();

beforeAll(async () => {
  if (redisUp) bridge = await startUpstashBridge({ redisUrl: TEST_REDIS_URL, token });
});
afterAll(async () => {
  if (!redisUp) return;
  await bridge.close();
  await deleteKeysWithPrefix(TEST_REDIS_URL, prefix);
});

describe.skipIf(!redisUp)("Upstash REST bridge", () => {
  it("runs one command posted to /", async () => {
    const key = `${prefix}a`;
    expect(await post("/", ["SET", key, "héllo", "PX", 60_000])).toEqual({
      status: 200,
      json: { result: "OK" },
    });
    expect(await post("/", ["GET", key])).toEqual({ status: 200, json: { result: "héllo" } });
    expect(await post("/", ["GET", `${prefix}missing`])).toEqual({ status: 200, json: { result: null } });
    expect(await post("/", ["INCRBY", `${prefix}n`, 5])).toEqual({ status: 200, json: { result: 5 } });
  });

  it("base64-encodes bulk strings under Upstash-Encoding: base64", async () => {
    const key = `${prefix}b`;
    await post("/", ["SET", key, "héllo"]);
    const { json } = await post("/", ["GET", key], { "upstash-encoding": "base64" });
    expect(json).toEqual({ result: Buffer.from("héllo").toString("base64") });
    const ok = await post("/", ["SET", key, "x"], { "upstash-encoding": "base64" });
    expect(ok.json).toEqual({ result: "OK" });
    const pong = await post("/", ["PING"], { "upstash-encoding": "base64" });
    expect(pong.json).toEqual({ result: Buffer.from("PONG").toString("base64") });
  });

  it("answers pipelines entry by entry, errors included", async () => {
    const key = `${prefix}p`;
    const { status, json } = await post("/pipeline", [
      ["SET", key, "1"],
      ["INCR", key],
      ["HGET", key, "f"],
      ["MGET", key, `${prefix}none`],
    ]);
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: "OK" },
      { result: 2 },
      { error: expect.stringMatching(/^WRONGTYPE/) },
      { result: ["2", null] },
    ]);
  });

  it("runs /multi-exec as one transaction", async () => {
    const key = `${prefix}m`;
    const { json } = await post("/multi-exec", [
      ["SET", key, "10"],
      ["INCRBY", key, 5],
      ["GET", key],
    ]);
    expect(json).toEqual([{ result: "OK" }, { result: 15 }, { result: "15" }]);
  });

  it.each([
    ["a missing token", {}, 401],
    ["a wrong token", { authorization: "Bearer nope" }, 401],
  ])("refuses %s", async (_what, headers, status) => {
    const res = await fetch(`${bridge.url}/`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(["PING"]),
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: "Unauthorized" });
  });

  it.each([
    ["/", "not json", 400],
    ["/", { not: "a command" }, 400],
    ["/pipeline", [], 400],
    ["/", ["NOSUCHCOMMAND"], 400],
    ["/elsewhere", ["PING"], 404],
  ])("answers %s with %j by an error", async (path, body, status) => {
    const res = await post(path, body);
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ error: expect.any(String) });
  });

  it("serves the @upstash/redis SDK (auto-pipelining, base64, eval)", async () => {
    const redis = new Redis({ url: bridge.url, token, enableTelemetry: false });
    const key = `${prefix}sdk`;
    await redis.set(key, { nested: ["ü", 1] }, { px: 60_000 });
    const [value, missing, ttl] = await Promise.all([
      redis.get(key),
      redis.get(`${prefix}none`),
      redis.pttl(key),
    ]);
    expect(value).toEqual({ nested: ["ü", 1] });
    expect(missing).toBeNull();
    expect(ttl).toBeGreaterThan(0);
    expect(await redis.eval("return redis.call('exists', KEYS[1])", [key], [])).toBe(1);
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.type(key)).toBe("string");
    const bad = new Redis({ url: bridge.url, token: "wrong", enableTelemetry: false, retry: false });
    await expect(bad.get(key)).rejects.toThrow(/Unauthorized/);
  });
});
