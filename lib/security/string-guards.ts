import jsonata from "jsonata";

/** The longest string a string built-in may be handed (characters). */
export const MAX_STRING_ARGUMENT = 5_000_000;

/**
 * JSONata's string built-ins that walk a string code point by code point (or build arrays from it),
 * with their signatures. Each runs synchronously, so on a string doubled up to hundreds of millions
 * of characters with `&` one call takes seconds and gigabytes, past any expression timeout.
 */
const GUARDED: Record<string, string> = {
  length: "<s-:n>",
  substring: "<s-nn?:s>",
  substringBefore: "<s-s:s>",
  substringAfter: "<s-s:s>",
  uppercase: "<s-:s>",
  lowercase: "<s-:s>",
  trim: "<s-:s>",
  contains: "<s-(sf):b>",
  match: "<s-f<s:o>n?:a<o>>",
  replace: "<s-(sf)(sf)n?:s>",
  split: "<s-(sf)n?:a<s>>",
  join: "<a<s>s?:s>",
};

type Implementation = (this: unknown, ...args: unknown[]) => unknown;
let originals: Promise<Map<string, Implementation>> | undefined;

/** The built-in implementations, read once from JSONata itself so the guarded ones behave the same. */
function loadOriginals(): Promise<Map<string, Implementation>> {
  originals ??= Promise.all(
    Object.keys(GUARDED).map(async (name) => {
      const fn = (await jsonata(`$${name}`).evaluate({})) as { implementation: Implementation };
      return [name, fn.implementation] as const;
    }),
  ).then((entries) => new Map(entries));
  return originals;
}

function checkArguments(name: string, args: unknown[]): void {
  let total = 0;
  for (const arg of args) {
    if (typeof arg === "string") total += arg.length;
    else if (Array.isArray(arg)) for (const item of arg) if (typeof item === "string") total += item.length;
  }
  if (total > MAX_STRING_ARGUMENT) {
    throw new Error(
      `$${name}: string arguments of ${total} characters are over the limit of ${MAX_STRING_ARGUMENT}`,
    );
  }
}

/** Replaces the string built-ins of `expr` with versions that refuse oversized strings first. */
export function guardStringBuiltins(expr: jsonata.Expression): void {
  for (const [name, signature] of Object.entries(GUARDED)) {
    expr.registerFunction(
      name,
      async function (this: unknown, ...args: unknown[]) {
        checkArguments(name, args);
        const implementation = (await loadOriginals()).get(name) as Implementation;
        return implementation.apply(this, args);
      },
      signature,
    );
  }
}

/**
 * Replaces `$append` with a version that refuses to build a list longer than `maxItems` (JSONata's
 * own sequence limit does not cover it): doubling a list with `$append($acc, $acc)` would otherwise
 * reach a billion items in 30 steps. Same semantics otherwise.
 */
export function guardAppend(expr: jsonata.Expression, maxItems: number): void {
  expr.assign("append", (a: unknown, b: unknown) => {
    if (a === undefined) return b;
    if (b === undefined) return a;
    const size = (Array.isArray(a) ? a.length : 1) + (Array.isArray(b) ? b.length : 1);
    if (size > maxItems) {
      // No JSONata error code: JSONata would replace the message with its own text for that code.
      throw new Error(`$append would build a list of ${size} items (at most ${maxItems})`);
    }
    return (Array.isArray(a) ? a : [a]).concat(b);
  });
}
