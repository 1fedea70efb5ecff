import type { Metadata } from "next";
import { connection } from "next/server";
import { isAuthEnabled, safeNextPath } from "@/lib/security/auth";

export const metadata: Metadata = { title: "Sign in" };

/** The sign-in form; a plain POST to /api/auth/login, so it works without JavaScript. */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await connection();
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : "/");
  const failed = params.error === "invalid";
  const limited = params.error === "rate_limited";
  if (!isAuthEnabled()) {
    return (
      <main className="page">
        <div className="card card-pad stack" data-testid="login-open-instance">
          <h1>No sign-in needed</h1>
          <p>APP_PASSWORD is not set, so this instance is open to anyone who can reach it.</p>
          <p>
            <a className="btn" href="/">
              Go to workflows
            </a>
          </p>
        </div>
      </main>
    );
  }
  return (
    <main className="page">
      <form
        className="card card-pad stack"
        method="post"
        action="/api/auth/login"
        data-testid="login-form"
        aria-labelledby="login-title"
      >
        <h1 id="login-title">Sign in to Braid</h1>
        <input type="hidden" name="next" value={next} />
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            className="input"
            autoComplete="current-password"
            required
            autoFocus
            aria-invalid={failed || undefined}
            aria-describedby={failed || limited ? "login-error" : undefined}
            data-testid="login-password"
          />
        </div>
        {(failed || limited) && (
          <p id="login-error" className="field-error" role="alert" data-testid="login-error">
            {limited ? "Too many attempts. Wait a few minutes and try again." : "That password is not right."}
          </p>
        )}
        <div className="row">
          <button type="submit" className="btn btn-primary" data-testid="login-submit">
            Sign in
          </button>
        </div>
      </form>
    </main>
  );
}
