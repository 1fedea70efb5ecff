import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExecutionView } from "@/components/execution/execution-view";
import { getDatabase } from "@/lib/db/client";
import { getSharedExecution } from "@/lib/runs/share-redaction";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Shared execution",
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};

type Props = { params: Promise<{ token: string }> };

/** A read-only execution for anyone with the link: no controls, no cookies, secrets redacted here. */
export default async function SharedExecutionPage({ params }: Props) {
  const { token } = await params;
  const redacted = await getSharedExecution(await getDatabase(), token);
  if (!redacted) notFound();
  return (
    <main className="page page-wide">
      <div className="readonly-banner" data-testid="readonly-banner">
        Read-only view of a shared execution. Secrets are redacted.
      </div>
      <ExecutionView
        initial={redacted}
        readOnly
        eventsPath={`/api/share/${encodeURIComponent(token)}/events`}
      />
    </main>
  );
}
