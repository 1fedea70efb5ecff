/** What a redacted secret reads as. */
export const REDACTED = "[REDACTED]";

/** Secrets shorter than this are not redacted: they would match everywhere and protect nothing. */
export const MIN_SECRET_LENGTH = 4;

/** A function that returns its argument with every secret replaced by `[REDACTED]`. */
export type Redactor = <T>(value: T) => T;

const identity: Redactor = (value) => value;

/**
 * Builds a redactor for `values`. Each secret is searched in every string (keys included) of a
 * JSON-like value, in its raw, JSON-escaped, URL-encoded, base64 and base64url forms; base64 is
 * also matched when the secret sits at any offset inside a longer encoded text (e.g. Basic auth).
 * Matching ignores case, so a secret host name lowercased by a DNS error is caught too.
 * Values that contain no secret are returned as the same reference.
 */
export function createRedactor(values: Iterable<string>): Redactor {
  const forms = new Set<string>();
  for (const value of values) {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) continue;
    for (const form of encodedForms(value)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
  }
  if (forms.size === 0) return identity;
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  // Case-insensitive: a host name or e-mail address comes back lowercased in DNS and SMTP errors.
  const pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "gi");
  const redactString = (s: string): string => {
    if (s.length < MIN_SECRET_LENGTH) return s;
    pattern.lastIndex = 0;
    if (!pattern.test(s)) return s;
    pattern.lastIndex = 0;
    return s.replace(pattern, REDACTED);
  };
  return <T>(value: T): T => walk(value, redactString, new WeakMap()) as T;
}

function walk(value: unknown, redact: (s: string) => string, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    seen.set(value, value);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const next = walk(item, redact, seen);
      if (next !== item) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    if (copy) seen.set(value, copy);
    return copy ?? value;
  }
  if (value instanceof Error) {
    const message = redact(value.message);
    if (message === value.message) return value;
    const copy = new Error(message);
    copy.name = value.name;
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  seen.set(value, value);
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const nextKey = redact(key);
    const next = walk(item, redact, seen);
    if (nextKey !== key || next !== item) changed = true;
    entries.push([nextKey, next]);
  }
  if (!changed) return value;
  // defineProperty keeps a `__proto__` key an own property instead of setting the prototype.
  const copy: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  seen.set(value, copy);
  return copy;
}

/** The spellings a secret can take on the way out: raw, escaped, URL-encoded, base64 (any offset). */
function encodedForms(secret: string): string[] {
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, "+"),
    encodeURI(secret),
  ];
  const utf8 = Buffer.from(secret, "utf8");
  // Latin-1 ("binary") bytes too: what btoa and JSONata's $base64encode encode.
  const latin1 = Buffer.from(secret, "latin1");
  for (const bytes of latin1.equals(utf8) ? [utf8] : [utf8, latin1]) forms.push(...base64Forms(bytes));
  return forms;
}

function base64Forms(bytes: Buffer): string[] {
  const forms = [
    bytes.toString("base64"),
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url"),
  ];
  // Inside a longer base64 text the secret may start at byte offset 0, 1 or 2 of a 3-byte group:
  // the characters that depend only on the secret's bytes are the same wherever it sits.
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const startChar = shift === 0 ? 0 : 4;
    const fullGroups = Math.floor((shift + bytes.length) / 3);
    const stable = encoded.slice(startChar, fullGroups * 4);
    if (stable.length >= 8) forms.push(stable, stable.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return forms;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
