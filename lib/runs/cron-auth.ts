import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@/lib/api/errors";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Checks `Authorization: Bearer <secret>` against CRON_SECRET in constant time (hashes of equal
 * length compared with timingSafeEqual). No secret configured → everything is refused.
 */
export function assertCronAuthorized(req: Request, secret: string | undefined): void {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer (.+)$/.exec(header);
  const ok = secret !== undefined && match !== null && timingSafeEqual(digest(match[1]!), digest(secret));
  if (!ok)
    throw new AppError(401, "unauthorized", "a valid `Authorization: Bearer <CRON_SECRET>` is required");
}
