import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { AppError } from "@/lib/contract/errors";
import type { Database } from "@/lib/db/client";
import { secrets as secretsTable } from "@/lib/db/schema";
import { getEnv } from "@/lib/env";

/** Environment variables named `BRAID_SECRET_<NAME>` become `secrets.NAME`. */
export const SECRET_ENV_PREFIX = "BRAID_SECRET_";
/** Secret names: usable as `{{ secrets.NAME }}` without quoting. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_SECRET_BYTES = 64 * 1024;
const FORMAT = "v1";

/** Secrets from the environment (`BRAID_SECRET_<NAME>=value`). */
export function envSecrets(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(SECRET_ENV_PREFIX) || value === undefined || value === "") continue;
    const name = key.slice(SECRET_ENV_PREFIX.length);
    if (SECRET_NAME.test(name)) out[name] = value;
  }
  return out;
}

/** `envSecrets()` once per parsed environment (`getEnv()`, renewed by `resetEnv()`): every run loads its secrets, and reading process.env costs tens of microseconds. */
const envSecretsCache = new WeakMap<object, Record<string, string>>();
function envSecretsOfEnv(): Record<string, string> {
  const env = getEnv();
  let secrets = envSecretsCache.get(env);
  if (!secrets) {
    secrets = envSecrets();
    envSecretsCache.set(env, secrets);
  }
  return secrets;
}

/** Whether the encrypted table can be used (APP_SECRET is set). */
export function secretsTableAvailable(): boolean {
  return getEnv().APP_SECRET !== undefined;
}

/**
 * Every secret by name: the environment's, overridden by the encrypted table's when APP_SECRET is
 * set. A row that no longer decrypts (APP_SECRET changed) is left out with a warning naming it.
 */
export async function loadSecrets(database: Database): Promise<Record<string, string>> {
  const out = { ...envSecretsOfEnv() };
  const key = tableKey();
  if (!key) return out;
  const rows = await database.db
    .select({ name: secretsTable.name, ciphertext: secretsTable.ciphertext })
    .from(secretsTable);
  for (const row of rows) {
    try {
      out[row.name] = decrypt(key, row.name, row.ciphertext);
    } catch {
      console.warn(`secret ${row.name} could not be decrypted with the current APP_SECRET; ignoring it`);
    }
  }
  return out;
}

/** Stores (or replaces) a secret in the encrypted table. */
export async function setSecret(database: Database, name: string, value: string): Promise<void> {
  checkName(name);
  if (typeof value !== "string" || value === "")
    throw new AppError(422, "invalid_request", "value: must be a non-empty string");
  if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
    throw new AppError(422, "invalid_request", `value: must be at most ${MAX_SECRET_BYTES} bytes`);
  }
  const ciphertext = encrypt(tableKeyOrThrow(), name, value);
  await database.db
    .insert(secretsTable)
    .values({ name, ciphertext })
    .onConflictDoUpdate({ target: secretsTable.name, set: { ciphertext, updatedAt: sql`now()` } });
}

/** Deletes a secret from the table; true when it existed. */
export async function deleteSecret(database: Database, name: string): Promise<boolean> {
  checkName(name);
  tableKeyOrThrow();
  const deleted = await database.db
    .delete(secretsTable)
    .where(eq(secretsTable.name, name))
    .returning({ name: secretsTable.name });
  return deleted.length > 0;
}

/** A secret as lists show it: never its value. */
export interface SecretInfo {
  name: string;
  /** `stored`: the encrypted table (it wins over an environment variable of the same name). */
  source: "env" | "stored";
  /** When a stored secret was last set. */
  updatedAt?: string;
  /** A stored secret that shadows a `BRAID_SECRET_<NAME>` variable. */
  overridesEnv?: boolean;
}

/** Every secret (environment and table) by name, sorted; never values. */
export async function listSecrets(database: Database): Promise<SecretInfo[]> {
  const byName = new Map<string, SecretInfo>();
  for (const name of Object.keys(envSecrets())) byName.set(name, { name, source: "env" });
  if (tableKey()) {
    const rows = await database.db
      .select({ name: secretsTable.name, updatedAt: secretsTable.updatedAt })
      .from(secretsTable)
      .orderBy(asc(secretsTable.name));
    for (const row of rows) {
      const info: SecretInfo = { name: row.name, source: "stored", updatedAt: row.updatedAt.toISOString() };
      if (byName.has(row.name)) info.overridesEnv = true;
      byName.set(row.name, info);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Removes a stored secret (`DELETE /api/secrets/:name`): 404 when there is none, 409 when the name
 * only comes from the environment (remove the variable instead).
 */
export async function removeSecretOrThrow(database: Database, name: string): Promise<void> {
  if (await deleteSecret(database, name)) return;
  if (name in envSecrets()) {
    throw new AppError(
      409,
      "secret_in_environment",
      `name: ${name} is set by the environment variable ${SECRET_ENV_PREFIX}${name}; remove it there`,
    );
  }
  throw new AppError(404, "not_found", `secret "${name}" not found`);
}

function checkName(name: string): void {
  if (typeof name !== "string" || !SECRET_NAME.test(name)) {
    throw new AppError(422, "invalid_request", "name: must match /^[A-Za-z_][A-Za-z0-9_]{0,63}$/");
  }
}

function tableKey(): Buffer | undefined {
  const secret = getEnv().APP_SECRET;
  if (!secret) return undefined;
  return Buffer.from(hkdfSync("sha256", secret, "braid", "braid secrets table v1", 32));
}

function tableKeyOrThrow(): Buffer {
  const key = tableKey();
  if (!key) {
    throw new AppError(
      409,
      "secrets_unavailable",
      "the secrets table needs APP_SECRET to be set; use BRAID_SECRET_<NAME> variables instead",
    );
  }
  return key;
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url), AES-256-GCM with the name as associated data. */
function encrypt(key: Buffer, name: string, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(name));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return [
    FORMAT,
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    body.toString("base64url"),
  ].join(".");
}

function decrypt(key: Buffer, name: string, stored: string): string {
  const [format, iv, tag, body] = stored.split(".");
  if (format !== FORMAT || !iv || !tag || body === undefined) throw new Error("unknown secret format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(name));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}
