/**
 * Next.js start-up hook. It says at once whether the instance is open (no APP_PASSWORD), and in
 * the Node.js runtime of an embedded deployment (PGlite, no DATABASE_URL) it starts the
 * in-process drain loop; modules are imported here, inside `register`, so the edge bundle never
 * sees them.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // No log line carries SQL parameters (drizzle puts them in its error messages).
  (await import("@/lib/security/log-guard")).installLogGuard();
  (await import("@/lib/security/socket-address")).stampSocketAddresses();
  const { announceAuthMode } = await import("@/lib/security/auth");
  announceAuthMode();
  // Expressions that are not provably bounded run on killable worker threads (lib/sandbox).
  const { installExpressionIsolate } = await import("@/lib/sandbox/expression-isolate");
  installExpressionIsolate();
  try {
    const { startEmbeddedDrain } = await import("@/lib/runs/embedded-drain");
    startEmbeddedDrain();
  } catch (err) {
    console.error("could not start the embedded drain loop:", err);
  }
}
