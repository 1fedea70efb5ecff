import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { type ReactNode, Suspense } from "react";
import { HeaderStatus } from "@/components/ui/header-status";
import { LogoMark } from "@/components/ui/logo-mark";
import { ToastProvider } from "@/components/ui/toast";
import { isAuthEnabled } from "@/lib/security/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Braid", template: "%s · Braid" },
  description: "Visual workflows that run durably: build, run, watch and share.",
};

export const viewport: Viewport = { themeColor: "#4f46e5" };

/** Read at request time, so a build never bakes in the auth setting. */
async function AuthNotice() {
  await connection();
  return <HeaderStatus authEnabled={isAuthEnabled()} />;
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <ToastProvider>
          <header className="app-header">
            <Link href="/" className="brand" aria-label="Braid home">
              <LogoMark />
              <span>Braid</span>
            </Link>
            <nav className="app-nav" aria-label="Main">
              <Link href="/">Workflows</Link>
              <Link href="/secrets">Secrets</Link>
            </nav>
            <div className="header-spacer" />
            <Suspense fallback={null}>
              <AuthNotice />
            </Suspense>
          </header>
          {children}
        </ToastProvider>
      </body>
    </html>
  );
}
