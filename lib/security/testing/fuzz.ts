import { findUnstorableText, toStorableString } from "../storable";

/**
 * Seeded generators of hostile JSON for fuzz tests: a tiny PRNG and mutations of valid documents.
 * The same seed gives the same sequence, so a failing case is reproduced from its seed and index.
 */

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    /** An integer in [0, max). */
    int,
    bool: (p = 0.5) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
  };
}
export type Random = ReturnType<typeof createRandom>;

const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff lone",
  "😀".repeat(50),
  "\u202eRTL",
  "Ω≈ç√∫",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "prototype",
  "{{ $eval('process.exit()') }}",
  "{{ inputs }}",
  "{{ $string(nodes) }}",
  "{{",
  "}}",
  "'; drop table workflows; --",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "http://169.254.169.254/latest/meta-data/",
  "file:///etc/passwd",
  "%00",
  "\\",
  "\n\r\t",
  "1e309",
];
const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  1,
  2.5,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 31,
  -(2 ** 31) - 1,
  1e-320,
  64,
  65,
];
const POLLUTION_KEYS = ["__proto__", "constructor", "prototype"];

/** A random JSON value, up to `depth` levels deep. */
export function randomValue(rnd: Random, depth = 3): unknown {
  switch (rnd.int(depth > 0 ? 8 : 5)) {
    case 0:
      return null;
    case 1:
      return rnd.bool();
    case 2:
      return rnd.pick(NASTY_NUMBERS);
    case 3:
      return rnd.pick(NASTY_STRINGS);
    case 4:
      return randomString(rnd);
    case 5:
      return Array.from({ length: rnd.int(4) }, () => randomValue(rnd, depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rnd.int(4); i > 0; i--) {
        defineKey(
          out,
          rnd.bool(0.2) ? rnd.pick(POLLUTION_KEYS) : randomString(rnd),
          randomValue(rnd, depth - 1),
        );
      }
      return out;
    }
  }
}

function randomString(rnd: Random): string {
  const length = rnd.int(24);
  let s = "";
  for (let i = 0; i < length; i++) {
    const r = rnd.next();
    s += r < 0.7 ? String.fromCharCode(32 + rnd.int(95)) : String.fromCharCode(rnd.int(0x3000));
  }
  return s;
}

/** Sets an own property even for `__proto__`, as JSON.parse would. */
function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Every path (array of keys) to a value inside `root`, root included. */
function paths(
  root: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) paths(root[i], [...prefix, i], out);
  } else if (root && typeof root === "object")
    for (const k of Object.keys(root)) paths((root as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** Deep nesting is spliced into the JSON text last (`hostileBody`), so cloning never recurses into it. */
const DEEP_MARKER = /"__deep_(\d+)__"/g;

function deepJson(depth: number): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    if (i % 2) {
      open += '{"a":';
      close += "}";
    } else {
      open += "[";
      close += "]";
    }
  }
  return `${open}"deep"${close}`;
}

/** One random mutation of `doc` (a structured clone): the kinds of damage a hostile client does. */
export function mutate(rnd: Random, doc: unknown): unknown {
  const copy = structuredClone(doc);
  const all = paths(copy);
  const target = rnd.pick(all);
  const kind = rnd.int(9);
  const replacement = (() => {
    switch (kind) {
      case 0:
        return undefined; // delete
      case 1:
        return randomValue(rnd);
      case 2:
        return "x".repeat(rnd.pick([201, 8_001, 100_001, 1_000_000]));
      case 3:
        return `__deep_${rnd.pick([50, 500, 3_000])}__`;
      case 4:
        return rnd.pick(NASTY_NUMBERS);
      case 5:
        return rnd.pick(NASTY_STRINGS);
      case 6:
        return Array.from({ length: rnd.pick([0, 1, 2_001]) }, () => randomValue(rnd, 1));
      default:
        return { ...Object.fromEntries([[rnd.pick(POLLUTION_KEYS), randomValue(rnd)]]), polluted: true };
    }
  })();
  if (target.length === 0) return replacement === undefined ? null : replacement;
  let parent: unknown = copy;
  for (const key of target.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = target[target.length - 1] as string | number;
  if (kind === 7 && parent && typeof parent === "object" && !Array.isArray(parent)) {
    // Add a prototype-pollution key next to the target.
    defineKey(parent as Record<string, unknown>, rnd.pick(POLLUTION_KEYS), { polluted: true, isAdmin: true });
    return copy;
  }
  if (kind === 8 && Array.isArray(parent)) {
    parent.push(structuredClone(parent[Number(last)] ?? null)); // duplicate an element (ids, edges)
    return copy;
  }
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Record<string, unknown>)[last as string];
  } else if (Array.isArray(parent)) parent[Number(last)] = replacement;
  else defineKey(parent as Record<string, unknown>, String(last), replacement);
  return copy;
}

const STORABLE_NASTY = NASTY_STRINGS.filter((t) => t !== "" && !findUnstorableText(t));
/** Keys whose values are free text in a valid definition: changing them keeps it valid. */
const FREE_TEXT_KEYS = new Set([
  "name",
  "url",
  "prompt",
  "system",
  "subject",
  "text",
  "accept",
  "model",
  "token",
]);

/**
 * A mutation that keeps the shape: one string leaf becomes another hostile but storable string, so
 * documents get past validation and hostile text reaches storage, rendering and templates.
 */
export function mutateLeaf(rnd: Random, doc: unknown): unknown {
  const copy = structuredClone(doc);
  const strings = paths(copy).filter((p) => p.length > 0 && typeof valueAt(copy, p) === "string");
  const free = strings.filter((p) => FREE_TEXT_KEYS.has(String(p[p.length - 1])));
  const leaves = free.length > 0 && rnd.bool(0.8) ? free : strings;
  if (leaves.length === 0) return copy;
  const target = rnd.pick(leaves);
  const parent = valueAt(copy, target.slice(0, -1)) as Record<string | number, unknown>;
  const last = target[target.length - 1] as string | number;
  const current = parent[last] as string;
  const next = rnd.bool() ? `${current}${rnd.pick(STORABLE_NASTY)}` : toStorableString(randomString(rnd));
  parent[last] = next.length > 0 ? next : current;
  return copy;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  let v = root;
  for (const key of path) v = (v as Record<string | number, unknown>)[key];
  return v;
}

/** A raw request body: mostly JSON of a mutated document, sometimes broken text. */
export function hostileBody(rnd: Random, seeds: readonly unknown[]): string {
  const r = rnd.next();
  if (r < 0.04)
    return rnd.pick(["", " ", "{", "[1,", "nul", "\u0000", '{"a":1}{"b":2}', "\ufeff{}", "1".repeat(400)]);
  if (r < 0.1) return JSON.stringify(randomValue(rnd, 4));
  let doc: unknown = rnd.pick(seeds);
  if (r < 0.35) {
    for (let i = 1 + rnd.int(3); i > 0; i--) doc = mutateLeaf(rnd, doc);
    return JSON.stringify(doc);
  }
  for (let i = 1 + rnd.int(3); i > 0; i--) doc = mutate(rnd, doc);
  return (JSON.stringify(doc) ?? "null").replace(DEEP_MARKER, (_m, depth: string) => deepJson(Number(depth)));
}
