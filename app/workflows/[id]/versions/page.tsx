import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { VersionsView } from "@/components/versions/versions-view";
import { AppError } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { listVersions } from "@/lib/versions/store";
import { getWorkflowOrThrow, type WorkflowRecord } from "@/lib/workflow-store/service";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ v?: string | string[] }> };

export const metadata: Metadata = { title: "Versions" };

/** `/workflows/:id/versions`: every saved version, two of them diffed on the canvas, restorable. */
export default async function VersionsPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { v } = await searchParams;
  const db = await getDb();
  let workflow: WorkflowRecord;
  try {
    workflow = await getWorkflowOrThrow(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
  const { versions } = await listVersions(db, id, { limit: 200 });
  const focus = typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
  return (
    <main className="page page-wide">
      <div className="page-head">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link href="/">Workflows</Link>/<Link href={`/workflows/${id}`}>{workflow.name}</Link>
          </nav>
          <h1>Versions</h1>
          <p>Every save of {workflow.name}. Pick two to compare them on the canvas; restore any of them.</p>
        </div>
      </div>
      <VersionsView workflowId={id} versions={versions} focus={focus} />
    </main>
  );
}
