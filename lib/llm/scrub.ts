const KEY_LIKE = /\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g;

/** Removes every secret in `secrets` and anything shaped like an API key from a message. */
export function scrubSecrets(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out.replace(KEY_LIKE, "[redacted]");
}
