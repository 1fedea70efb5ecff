import { Suspense } from "react";
import { CreateWorkflowForm } from "@/components/home/create-workflow-form";
import { ImportWorkflowForm } from "@/components/home/import-workflow-form";
import { type TemplateCard, TemplateGallery } from "@/components/home/template-gallery";
import { WorkflowTable } from "@/components/home/workflow-table";
import { getDb } from "@/lib/db/client";
import { TEMPLATES } from "@/lib/templates";
import { listWorkflows } from "@/lib/workflow-store/service";

const templateCards: TemplateCard[] = TEMPLATES.map((t) => ({
  id: t.id,
  title: t.title,
  description: t.description,
  tags: t.tags,
  ...(t.needsKey ? { needsKey: t.needsKey } : {}),
  nodeCount: t.definition.nodes.length,
}));

export const dynamic = "force-dynamic";

async function Workflows() {
  return <WorkflowTable workflows={await listWorkflows(await getDb())} />;
}

/**
 * The loading state lives in this page's own Suspense boundary rather than in `app/loading.tsx`,
 * which would wrap every page and make `notFound()` answer 200 instead of 404.
 */
export default function HomePage() {
  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Workflows</h1>
          <p>Build a workflow on the canvas, run it, and watch every node as it happens.</p>
        </div>
      </div>
      <div className="stack">
        <div className="grid-2">
          <CreateWorkflowForm />
          <ImportWorkflowForm />
        </div>
        <Suspense
          fallback={
            <div
              className="skeleton"
              style={{ height: 240 }}
              role="status"
              aria-busy="true"
              aria-label="Loading workflows"
            />
          }
        >
          <Workflows />
        </Suspense>
        <TemplateGallery templates={templateCards} />
      </div>
    </main>
  );
}
