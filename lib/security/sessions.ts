import { sql } from "drizzle-orm";
import { type Db, getDb, query } from "@/lib/db/client";
import { isAuthEnabled, parseSessionCookie, sessionFromCookieHeader } from "./auth";

/**
 * Whether a session cookie value is authentic, unexpired and not revoked by a logout. The
 * revocation is read from the database, so a cookie copied before a logout is refused by every
 * process after it. Throws when the database cannot be read (the gate answers 503).
 */
export async function sessionIsLive(value: string | undefined | null, db?: Db): Promise<boolean> {
  const session = parseSessionCookie(value);
  if (!session) return false;
  const rows = await query<{ one: number }>(
    db ?? (await getDb()),
    sql`select 1 as one from revoked_sessions where id = ${session.id}`,
  );
  return rows.length === 0;
}

/** Whether a request carries a live session; always true when auth is off. */
export async function hasSession(req: Request): Promise<boolean> {
  if (!isAuthEnabled()) return true;
  return sessionIsLive(sessionFromCookieHeader(req.headers.get("cookie")));
}

/**
 * Ends a session server-side: its id is stored as revoked until the cookie would have expired
 * anyway. Revocations past their expiry are deleted on the way. A value that is not an authentic,
 * unexpired session is ignored (returns false).
 */
export async function revokeSession(value: string | undefined | null, db?: Db): Promise<boolean> {
  const session = parseSessionCookie(value);
  if (!session) return false;
  const conn = db ?? (await getDb());
  await conn.execute(
    sql`with expired as (delete from revoked_sessions where expires_at < now())
      insert into revoked_sessions (id, expires_at)
      values (${session.id}, to_timestamp(${session.expiresAt / 1000}))
      on conflict (id) do nothing`,
  );
  return true;
}
