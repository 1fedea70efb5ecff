"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { LogoMark } from "./logo-mark";

/** Whether a path is a page for anonymous viewers (a share link, an approval): no app navigation there. */
export function isPublicPath(pathname: string): boolean {
  return pathname.startsWith("/share/") || pathname.startsWith("/approve/");
}

/** The header's brand and main navigation; a public page gets the brand alone, not a link. */
export function AppNav() {
  const pathname = usePathname() ?? "";
  if (isPublicPath(pathname)) {
    return (
      <span className="brand" data-testid="brand">
        <LogoMark />
        <span>Braid</span>
      </span>
    );
  }
  return (
    <>
      <Link href="/" className="brand" aria-label="Braid home" data-testid="brand">
        <LogoMark />
        <span>Braid</span>
      </Link>
      <nav className="app-nav" aria-label="Main" data-testid="app-nav">
        <Link href="/">Workflows</Link>
        <Link href="/secrets">Secrets</Link>
        <Link href="/settings/prices">Prices</Link>
      </nav>
    </>
  );
}
