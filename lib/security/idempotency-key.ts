import { createHash } from "node:crypto";
import type { Redactor } from "./redact";

const HASHED_PREFIX = "redacted-sha256:";

/**
 * The idempotency key as it is stored: the key itself, or, when it contains a secret, a SHA-256
 * of it (`redacted-sha256:<hex>`). The hash keeps distinct keys distinct and lets a retried
 * request with the same key find its execution without the secret ever being stored.
 */
export function storedIdempotencyKey(key: string, redact: Redactor): string {
  return redact(key) === key ? key : hashedIdempotencyKey(key);
}

/** `redacted-sha256:<hex of key>`. */
export function hashedIdempotencyKey(key: string): string {
  return `${HASHED_PREFIX}${createHash("sha256").update(key).digest("hex")}`;
}

/** Every stored form a looked-up key may have (itself, or its hash when it contained a secret). */
export function idempotencyKeyForms(key: string): string[] {
  return [key, hashedIdempotencyKey(key)];
}
