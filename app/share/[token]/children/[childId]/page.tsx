import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ExecutionView } from "@/components/execution/execution-view";
import { getDatabase } from "@/lib/db/client";
import { getSharedChild } from "@/lib/runs/share-redaction";

export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: "Shared child execution",
  robots: { index: false, follow: false },
  referrer: "no-referrer",
};

type Props = { params: Promise<{ token: string; childId: string }> };

/** A child execution reached through a share link of its parent: read-only, redacted, no live events. */
export default async function SharedChildPage({ params }: Props) {
  const { token, childId } = await params;
  const redacted = await getSharedChild(await getDatabase(), token, childId);
  if (!redacted) notFound();
  return (
    <main className="page page-wide">
      <div className="readonly-banner" data-testid="readonly-banner">
        Read-only view of a child execution of a shared execution. Secrets are redacted.{" "}
        <Link href={`/share/${encodeURIComponent(token)}`}>Back to the shared execution</Link>
      </div>
      <ExecutionView initial={redacted} readOnly />
    </main>
  );
}
