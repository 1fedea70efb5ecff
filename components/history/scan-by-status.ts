import { ExecutionStatus } from "@/lib/contract/status";

/*
 * The history page's status filter. The history query pages by `before` (newest first) and has
 * no status condition, so a filtered page reads batches and keeps the matching rows, until it has
 * a page of them or has read `maxBatches` batches; its "older" cursor is the last row it read.
 */

/** `?status=` as a status, or undefined (no filter) for anything else. */
export function parseStatusFilter(value: unknown): ExecutionStatus | undefined {
  const parsed = ExecutionStatus.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Reads up to `limit` rows older than the row `before` (newest first). */
export type ReadPage<R> = (options: { limit: number; before?: string }) => Promise<R[]>;

/**
 * Up to `pageSize` rows of `status`, older than `before`, newest first; `next` is the cursor of
 * the page after (undefined when every row has been read).
 */
export async function scanByStatus<R extends { id: string; status: string }>(
  read: ReadPage<R>,
  status: string,
  options: { pageSize: number; before?: string; batchSize?: number; maxBatches?: number },
): Promise<{ rows: R[]; next?: string }> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 10;
  const rows: R[] = [];
  let before = options.before;
  for (let batch = 0; batch < maxBatches; batch++) {
    const page = await read({ limit: batchSize, before });
    for (const row of page) {
      if (row.status !== status) continue;
      rows.push(row);
      // A full page: the next one starts after this row, whatever follows it in the batch.
      if (rows.length === options.pageSize) return { rows, next: row.id };
    }
    const last = page.at(-1);
    if (page.length < batchSize || !last) return { rows };
    before = last.id;
  }
  return { rows, next: before };
}
