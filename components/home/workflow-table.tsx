import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime } from "@/components/ui/format";
import type { WorkflowSummary } from "@/lib/workflow-store/service";
import { DeleteWorkflowButton } from "./delete-workflow-button";

/** Every workflow with its node count and last update; open, history and delete on each row. */
export function WorkflowTable({ workflows }: { workflows: WorkflowSummary[] }) {
  if (workflows.length === 0) {
    return (
      <section className="card" aria-label="Workflows">
        <EmptyState title="No workflows yet" testId="workflows-empty">
          Create one above, or import a workflow's JSON.
        </EmptyState>
      </section>
    );
  }
  return (
    <section className="card" aria-label="Workflows">
      <table className="table" data-testid="workflow-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="num">
              Nodes
            </th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((w) => (
            <tr key={w.id} data-testid={`workflow-row-${w.id}`}>
              <td>
                <Link href={`/workflows/${w.id}`} style={{ fontWeight: 600 }} data-testid="workflow-link">
                  {w.name}
                </Link>
              </td>
              <td className="num">{w.nodeCount}</td>
              <td className="muted">{formatDateTime(w.updatedAt)}</td>
              <td>
                <div className="table-actions">
                  <Link
                    href={`/workflows/${w.id}`}
                    className={buttonClass("default", "sm")}
                    aria-label={`Open ${w.name}`}
                  >
                    Open
                  </Link>
                  <Link
                    href={`/workflows/${w.id}/executions`}
                    className={buttonClass("ghost", "sm")}
                    aria-label={`History of ${w.name}`}
                  >
                    History
                  </Link>
                  <DeleteWorkflowButton id={w.id} name={w.name} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
