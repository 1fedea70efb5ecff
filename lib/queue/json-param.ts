/**
 * JSON text for a jsonb parameter: bigints become strings, cycles `"[circular]"`, and NUL
 * characters (which jsonb refuses) U+FFFD, so no node output can make a checkpoint write fail.
 */
export function toJsonParam(value: unknown): string {
  let text: string;
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
  return (text ?? "null").replace(/(^|[^\\])((?:\\\\)*)\\u0000/g, "$1$2\\ufffd");
}
