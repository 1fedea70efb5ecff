import { formatPath, type ValidationIssue } from "@/lib/workflow/validate";

/** U+0000 and unpaired surrogates: text Postgres `jsonb`/`text` refuses to store. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_GLOBAL = new RegExp(UNSTORABLE.source, "g");

type Step = { key: PropertyKey; parent: Step | undefined } | undefined;

/**
 * The first string (or key) in a JSON-like value that Postgres cannot store, as a validation issue
 * naming its path, or `undefined`. Iterative, so any nesting depth is safe.
 */
export function findUnstorableText(value: unknown): ValidationIssue | undefined {
  const stack: { value: unknown; at: Step }[] = [{ value, at: undefined }];
  while (stack.length > 0) {
    const { value: current, at } = stack.pop() as { value: unknown; at: Step };
    if (typeof current === "string") {
      if (UNSTORABLE.test(current)) return issueAt(at, "text");
    } else if (current !== null && typeof current === "object") {
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--)
          stack.push({ value: current[i], at: { key: i, parent: at } });
      } else {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          if (UNSTORABLE.test(key)) return issueAt({ key, parent: at }, "key");
          stack.push({ value: (current as Record<string, unknown>)[key], at: { key, parent: at } });
        }
      }
    }
  }
  return undefined;
}

function issueAt(at: Step, what: "text" | "key"): ValidationIssue {
  const path: PropertyKey[] = [];
  for (let step = at; step; step = step.parent) path.push(step.key);
  path.reverse();
  return {
    path: formatPath(path),
    code: "unstorable_text",
    message: `${what} contains a NUL character (\\u0000) or an unpaired UTF-16 surrogate, which cannot be stored`,
  };
}

/** `text` with NUL characters and unpaired surrogates replaced by U+FFFD. */
export function toStorableString(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_GLOBAL, "\uFFFD") : text;
}
