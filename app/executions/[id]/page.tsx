import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExecutionView } from "@/components/execution/execution-view";
import { getDb } from "@/lib/db/client";
import { childExecutionsOf } from "@/lib/runs/child-executions";
import { getExecutionDetail } from "@/lib/runs/get-execution";
import { getShareUrl } from "@/lib/runs/shares";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { id } = await params;
  return { title: `Execution ${id.slice(0, 8)}` };
}

export default async function ExecutionPage({ params }: Props) {
  const { id } = await params;
  const db = await getDb();
  const detail = await getExecutionDetail(db, id, { links: true });
  if (!detail) notFound();
  const [shareUrl, children] = await Promise.all([getShareUrl(db, id), childExecutionsOf(db, id)]);
  return (
    <main className="page page-wide">
      <ExecutionView initial={detail} shareUrl={shareUrl} childExecutions={children} />
    </main>
  );
}
