"use client";

import { useMemo, useState } from "react";
import { diffWorkflows } from "@/lib/versions/diff";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { DiffCanvas, DiffLegend } from "./diff-canvas";
import { FieldDiffTable, NodeDiffDetails } from "./field-diff";

/**
 * The diff between two definitions: colour key, canvas, and the selected node's changes field by
 * field (the first changed node is selected to start with). Shared by the versions page and the
 * builder's "what am I about to save".
 */
export function WorkflowDiffView({
  before,
  after,
  testId = "workflow-diff",
}: {
  before: WorkflowDefinition;
  after: WorkflowDefinition;
  testId?: string;
}) {
  const diff = useMemo(() => diffWorkflows(before, after), [before, after]);
  const [selectedId, setSelectedId] = useState<string | null>(
    () => diff.nodes.find((n) => n.kind === "changed")?.id ?? null,
  );
  const selected = diff.nodes.find((n) => n.id === selectedId);
  return (
    <div className="stack" data-testid={testId} data-same={diff.same}>
      <DiffLegend diff={diff} />
      {diff.same ? <p className="muted">No changes (positions aside).</p> : null}
      <DiffCanvas diff={diff} selectedId={selectedId} onSelect={setSelectedId} />
      {diff.workflow.length > 0 ? (
        <div>
          <h3 style={{ fontSize: 13, margin: "4px 0" }}>Workflow</h3>
          <FieldDiffTable fields={diff.workflow} testId="workflow-field-diff" />
        </div>
      ) : null}
      <NodeDiffDetails node={selected} />
    </div>
  );
}
