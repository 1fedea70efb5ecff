import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Builder } from "@/components/builder/builder";
import { AppError } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { getWorkflowOrThrow, type WorkflowRecord } from "@/lib/workflow-store/service";

type Params = { params: Promise<{ id: string }> };

/** One read per request, shared by the metadata and the page. */
const load = cache(async (id: string): Promise<WorkflowRecord> => {
  try {
    return await getWorkflowOrThrow(await getDb(), id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
});

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return { title: (await load(id)).name };
}

/** The builder of one workflow. */
export default async function WorkflowPage({ params }: Params) {
  const { id } = await params;
  const record = await load(id);
  return (
    <Builder key={record.id} workflowId={record.id} definition={record.definition} version={record.version} />
  );
}
