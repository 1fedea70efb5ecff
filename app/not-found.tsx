import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

export default function NotFound() {
  return (
    <main className="page">
      <div className="card">
        <EmptyState
          title="Not found"
          testId="not-found"
          action={
            <Link href="/" className={buttonClass("primary")}>
              Back to workflows
            </Link>
          }
        >
          This page does not exist, or the link was revoked.
        </EmptyState>
      </div>
    </main>
  );
}
