"use client";

import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main className="page">
      <div className="card" role="alert">
        <EmptyState
          title="Something went wrong"
          testId="error-state"
          action={
            <Button variant="primary" onClick={reset}>
              Try again
            </Button>
          }
        >
          {error.digest
            ? `The server could not render this page (reference ${error.digest}).`
            : error.message}
        </EmptyState>
      </div>
    </main>
  );
}
