"use client";

import Link from "next/link";

/** Shown when the builder fails to load. */
export default function BuilderError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="bn-page-error" role="alert" data-testid="builder-error">
      <h1>This workflow could not be opened</h1>
      <p>{error.digest ? `Something went wrong on the server (ref ${error.digest}).` : error.message}</p>
      <div className="bn-page-error-actions">
        <button type="button" className="btn btn-primary" onClick={reset}>
          Try again
        </button>
        <Link href="/" className="btn">
          Back to workflows
        </Link>
      </div>
    </div>
  );
}
