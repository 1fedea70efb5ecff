import { describe, expect, it } from "vitest";
import { parseStatusFilter, type ReadPage, scanByStatus } from "./scan-by-status";

type Row = { id: string; status: string };

/** A history of `statuses`, newest first, with ids r0, r1, …; counts the reads. */
function history(statuses: string[]) {
  const rows: Row[] = statuses.map((status, i) => ({ id: `r${i}`, status }));
  const reads: Array<{ limit: number; before?: string }> = [];
  const read: ReadPage<Row> = async ({ limit, before }) => {
    reads.push({ limit, before });
    const from = before === undefined ? 0 : rows.findIndex((r) => r.id === before) + 1;
    return rows.slice(from, from + limit);
  };
  return { read, reads };
}

describe("parseStatusFilter", () => {
  it("accepts an execution status only", () => {
    expect(parseStatusFilter("waiting")).toBe("waiting");
    expect(parseStatusFilter("succeeded")).toBe("succeeded");
    expect(parseStatusFilter("idle")).toBeUndefined();
    expect(parseStatusFilter(["waiting"])).toBeUndefined();
    expect(parseStatusFilter(undefined)).toBeUndefined();
  });
});

describe("scanByStatus", () => {
  it("keeps the rows of the status across batches, and ends when the history does", async () => {
    const { read, reads } = history([
      "succeeded",
      "waiting",
      "failed",
      "waiting",
      "waiting",
      "running",
      "waiting",
    ]);
    const page = await scanByStatus(read, "waiting", { pageSize: 10, batchSize: 3 });
    expect(page.rows.map((r) => r.id)).toEqual(["r1", "r3", "r4", "r6"]);
    expect(page.next).toBeUndefined();
    expect(reads).toEqual([
      { limit: 3, before: undefined },
      { limit: 3, before: "r2" },
      { limit: 3, before: "r5" },
    ]);
  });

  it("stops at a full page, the next one starting after its last row", async () => {
    const { read } = history(["waiting", "failed", "waiting", "waiting", "succeeded", "waiting"]);
    const first = await scanByStatus(read, "waiting", { pageSize: 2, batchSize: 4 });
    expect(first).toEqual({
      rows: [
        { id: "r0", status: "waiting" },
        { id: "r2", status: "waiting" },
      ],
      next: "r2",
    });
    const second = await scanByStatus(read, "waiting", { pageSize: 2, batchSize: 4, before: first.next });
    expect(second.rows.map((r) => r.id)).toEqual(["r3", "r5"]);
    expect(second.next).toBe("r5");
    const third = await scanByStatus(read, "waiting", { pageSize: 2, batchSize: 4, before: second.next });
    expect(third).toEqual({ rows: [] });
  });

  it("reads at most maxBatches batches, then hands back where it stopped", async () => {
    const { read, reads } = history(
      Array.from({ length: 20 }, (_, i) => (i === 19 ? "waiting" : "succeeded")),
    );
    const page = await scanByStatus(read, "waiting", { pageSize: 5, batchSize: 4, maxBatches: 2 });
    expect(page).toEqual({ rows: [], next: "r7" });
    expect(reads).toHaveLength(2);
    const rest = await scanByStatus(read, "waiting", {
      pageSize: 5,
      batchSize: 4,
      maxBatches: 5,
      before: page.next,
    });
    expect(rest.rows.map((r) => r.id)).toEqual(["r19"]);
  });
});
