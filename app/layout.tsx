import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import { type ReactNode, Suspense } from "react";
import { AppNav } from "@/components/ui/app-nav";
import { HeaderStatus } from "@/components/ui/header-status";
import { THEME_BOOT_SCRIPT } from "@/components/ui/theme-script";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import { ToastProvider } from "@/components/ui/toast";
import { isAuthEnabled } from "@/lib/security/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Braid", template: "%s · Braid" },
  description: "Visual workflows that run durably: build, run, watch and share.",
};

export const viewport: Viewport = {
  themeColor: "#4f46e5",
  colorScheme: "light dark",
};

/** Read at request time, so a build never bakes in the auth setting. */
async function AuthNotice() {
  await connection();
  return <HeaderStatus authEnabled={isAuthEnabled()} />;
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The boot script sets data-theme before hydration: React must not flag that difference.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no user data */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>
        <ToastProvider>
          <header className="app-header">
            <AppNav />
            <div className="header-spacer" />
            <ThemeToggle />
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
