import { randomBytes } from "node:crypto";

/**
 * Tokens that are the credential in a URL (share links, incoming webhooks): 24 random bytes
 * (192 bits), base64url.
 */
export function createUrlToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Whether `text` can be such a token; anything else is refused before a lookup. */
export function isUrlToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{22,64}$/.test(text);
}
