import type { NextConfig } from "next";

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
};

export default nextConfig;
