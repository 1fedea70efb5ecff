"use client";

import { usePathname } from "next/navigation";
import { isPublicPath } from "./app-nav";

/**
 * The right end of the header: a sign-out button when the instance has a password, else a notice
 * that it is open. Neither shows on public pages (share links, approvals: outsiders see them) nor on
 * the login page.
 */
export function HeaderStatus({ authEnabled }: { authEnabled: boolean }) {
  const pathname = usePathname() ?? "";
  if (isPublicPath(pathname) || pathname === "/login") return null;
  if (authEnabled) {
    return (
      <form method="post" action="/api/auth/logout">
        <button type="submit" className="btn btn-ghost btn-sm" data-testid="sign-out">
          Sign out
        </button>
      </form>
    );
  }
  return (
    <span
      className="notice-pill"
      data-testid="open-instance-notice"
      title="APP_PASSWORD is not set: anyone who can reach this server can edit and run workflows."
    >
      Open instance
    </span>
  );
}
