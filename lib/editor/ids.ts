import { NODE_ID_PATTERN } from "@/lib/workflow/schema";

const MAX_ID = 64;

/**
 * A node id based on `base` that is not in `taken`: `base` itself when free, else `base_2`,
 * `base_3`… (a trailing `_N` of `base` is replaced, so copying `http_2` gives `http_3`).
 */
export function uniqueNodeId(taken: ReadonlySet<string>, base: string): string {
  let stem = base.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z_]/.test(stem)) stem = `n_${stem}`;
  stem = stem.slice(0, MAX_ID);
  if (!taken.has(stem) && NODE_ID_PATTERN.test(stem)) return stem;
  const match = /^(.*?)_(\d+)$/.exec(stem);
  const root = match ? match[1]! : stem;
  let n = match ? Number(match[2]) + 1 : 2;
  for (;;) {
    const suffix = `_${n}`;
    const id = root.slice(0, MAX_ID - suffix.length) + suffix;
    if (!taken.has(id)) return id;
    n++;
  }
}

/** A fresh edge id (`e_<source>_<target>`, numbered when taken). */
export function uniqueEdgeId(
  taken: ReadonlySet<string>,
  source: string,
  target: string,
  handle?: string,
): string {
  const base = `e_${source}${handle && handle !== "out" ? `_${handle}` : ""}_${target}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}
