import "server-only";

/** A `\u0000` or lone-surrogate escape in JSON text, not itself escaped (an even run of backslashes before it). */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * The one encoder of JSON text for jsonb parameters (checkpoints, outputs, errors, events).
 *
 * - bigints become strings and cycles `"[circular]"` (a value JSON.stringify refuses);
 * - NUL characters and unpaired UTF-16 surrogates, which jsonb refuses (`\u0000`, and e.g. the
 *   halves of an emoji JSONata's `$split('a😀b', '')` makes), become U+FFFD.
 *
 * JSON.stringify writes a lone surrogate as a `\udXXX` escape and a valid pair as the character
 * itself, so every such escape left in its output is a lone one. No value can make the write fail.
 */
export function toJsonParam(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    const seen = new WeakSet<object>();
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v && typeof v === "object") {
        if (seen.has(v)) return "[circular]";
        seen.add(v);
      }
      return v;
    });
  }
  if (text === undefined) return "null";
  return text.includes("\\u") ? text.replace(UNSTORABLE_ESCAPE, "$1\\ufffd") : text;
}
