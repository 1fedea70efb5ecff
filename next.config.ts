import type { NextConfig } from "next";

/**
 * Sent with every response. The CSP refuses framing (clickjacking), plugins, `<base>` rewrites and
 * form posts to other sites; scripts and styles stay unrestricted because Next.js inlines them
 * (a nonce-based policy would make every page dynamic).
 */
export const SECURITY_HEADERS = [
  {
    key: "Content-Security-Policy",
    value: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
  },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  // Lets parallel builds (e2e runs, CI) use separate output folders.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // Migrations are read from disk at run time (embedded PGlite and auto-migrate).
  outputFileTracingIncludes: { "/**": ["./drizzle/**/*"] },
  // PGlite ships WASM and data files that must be loaded from node_modules at run time.
  // The sandbox workers load QuickJS (with its .wasm file) and JSONata from node_modules at run time.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "postgres",
    "nodemailer",
    "quickjs-emscripten-core",
    "@jitl/quickjs-wasmfile-release-sync",
  ],
  compress: false, // SSE must not be buffered by compression; a reverse proxy may compress other routes.
  devIndicators: false,
  // `next dev` blocks its dev resources for origins other than localhost: opened at 127.0.0.1 the
  // builder rendered dead. Both usual local origins are allowed.
  allowedDevOrigins: ["localhost", "127.0.0.1"],
  // Saving a workflow goes through a server action; definitions may be up to 5 MB (SPEC §1).
  experimental: { serverActions: { bodySizeLimit: "5mb" } },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
