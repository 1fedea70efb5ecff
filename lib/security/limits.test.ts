import { describe, expect, it } from "vitest";
import { capOutputSize, isTruncatedOutput } from "./limits";

describe("capOutputSize", () => {
  it("returns small values untouched (same reference)", () => {
    const v = { a: [1, 2, 3], s: "x".repeat(100) };
    expect(capOutputSize(v, 1024)).toBe(v);
    expect(capOutputSize("short", 1024)).toBe("short");
    expect(capOutputSize(null, 1)).toBe(null);
  });

  it("replaces a value over the cap with a visible marker holding its size and a preview", () => {
    const v = { text: "é".repeat(2000) };
    const out = capOutputSize(v, 1000);
    expect(isTruncatedOutput(out)).toBe(true);
    expect(out).toMatchObject({
      __truncated: true,
      bytes: Buffer.byteLength(JSON.stringify(v)),
      reason: "too_large",
    });
    const preview = (out as { preview: string }).preview;
    expect(preview.length).toBe(500);
    expect(JSON.stringify(v).startsWith(preview)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(1000 + 100);
  });

  it("counts UTF-8 bytes, not characters", () => {
    const s = "😀".repeat(300); // 1200 bytes, 600 UTF-16 units
    expect(isTruncatedOutput(capOutputSize(s, 1000))).toBe(true);
    expect(capOutputSize(s, 1300)).toBe(s);
  });

  it("does not split a surrogate pair in the preview", () => {
    const out = capOutputSize("😀".repeat(3000), 101) as { preview: string };
    expect(out.preview).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it("turns an unserializable value into a marker instead of throwing", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(capOutputSize(cyclic, 1000)).toMatchObject({ __truncated: true, reason: "unserializable" });
    expect(capOutputSize({ n: 1n }, 1000)).toMatchObject({ __truncated: true, reason: "unserializable" });
  });
});
