import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "./redact";

const SECRET = "sk-live-Zq9/x+Y2 w&k=7!é";

describe("createRedactor", () => {
  const redact = createRedactor([SECRET, "abc"]);

  it.each([
    ["raw", `token ${SECRET} end`],
    ["url-encoded", `https://x.test/?k=${encodeURIComponent(SECRET)}&z=1`],
    ["form-encoded", `k=${encodeURIComponent(SECRET).replace(/%20/g, "+")}`],
    ["base64", `Bearer ${Buffer.from(SECRET).toString("base64")}`],
    ["base64url", Buffer.from(SECRET).toString("base64url")],
    ["json-escaped", JSON.stringify({ body: JSON.stringify({ k: `"${SECRET}"` }) })],
    ["basic auth (offset 5)", `Basic ${Buffer.from(`user:${SECRET}`).toString("base64")}`],
    ["base64 at offset 1", Buffer.from(`a${SECRET}zz`).toString("base64")],
    ["base64 at offset 2", Buffer.from(`ab${SECRET}`).toString("base64")],
    ["latin-1 base64 (btoa, JSONata)", Buffer.from(`user:${SECRET}`, "latin1").toString("base64")],
    ["lowercased", `getaddrinfo ENOTFOUND ${SECRET.toLowerCase()}`],
    ["uppercased", `HOST: ${SECRET.toUpperCase()}`],
  ])("removes the %s form", (_label, text) => {
    const out = redact({ deep: [{ text }] });
    const flat = JSON.stringify(out);
    expect(flat).toContain(REDACTED);
    expect(flat).not.toContain(SECRET);
    expect(flat.toLowerCase()).not.toContain(SECRET.toLowerCase());
    expect(flat).not.toContain(encodeURIComponent(SECRET));
    expect(flat).not.toContain(Buffer.from(SECRET).toString("base64").slice(4, 20));
    expect(flat).not.toContain(Buffer.from(`user:${SECRET}`, "latin1").toString("base64").slice(8, 24));
  });

  it("redacts keys, nested arrays and errors, and leaves short secrets alone", () => {
    const out = redact({ [SECRET]: { list: ["abc", [SECRET]] }, err: new Error(`failed: ${SECRET}`) });
    expect(Object.keys(out)).toEqual([REDACTED, "err"]);
    expect(out[REDACTED as keyof typeof out]).toEqual({ list: ["abc", [REDACTED]] });
    expect((out.err as Error).message).toBe(`failed: ${REDACTED}`);
  });

  it("returns the same reference when there is nothing to redact", () => {
    const value = { a: [1, "two", { three: true }], b: null };
    expect(redact(value)).toBe(value);
    expect(createRedactor([])(value)).toBe(value);
    expect(createRedactor(["ab", ""])("ab ab")).toBe("ab ab");
  });

  it("does not mutate its input and keeps a __proto__ key an own property", () => {
    const input = JSON.parse(`{"__proto__": {"x": "${SECRET}"}, "y": "${SECRET}"}`);
    const out = redact(input) as Record<string, unknown>;
    expect(input.y).toBe(SECRET);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it("survives cycles", () => {
    const a: Record<string, unknown> = { s: SECRET };
    a.self = a;
    const out = redact(a) as Record<string, unknown>;
    expect(out.s).toBe(REDACTED);
  });

  it("prefers the longest secret when one contains another", () => {
    const r = createRedactor(["password", "password123"]);
    expect(r("x password123 y password")).toBe(`x ${REDACTED} y ${REDACTED}`);
  });
});
