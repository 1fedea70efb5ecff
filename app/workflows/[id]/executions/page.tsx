import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ExecutionHistoryTable } from "@/components/execution/execution-history-table";
import { DailyUsageChart } from "@/components/history/daily-usage-chart";
import { parseStatusFilter, scanByStatus } from "@/components/history/scan-by-status";
import { StatusFilter } from "@/components/history/status-filter";
import { buttonClass } from "@/components/ui/button";
import { AppError } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { dailyUsage } from "@/lib/llm/daily-usage";
import { listExecutions } from "@/lib/runs/get-execution";
import { getWorkflowOrThrow, type WorkflowRecord } from "@/lib/workflow-store/service";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ before?: string | string[]; status?: string | string[] }>;
};

const PAGE_SIZE = 50;

export const metadata: Metadata = { title: "History" };

export default async function WorkflowHistoryPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { before: beforeParam, status: statusParam } = await searchParams;
  const before = typeof beforeParam === "string" && beforeParam.length <= 200 ? beforeParam : undefined;
  const status = parseStatusFilter(statusParam);
  const db = await getDb();
  let workflow: WorkflowRecord;
  try {
    workflow = await getWorkflowOrThrow(db, id);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) notFound();
    throw err;
  }
  const base = `/workflows/${id}/executions`;
  const [page, usage] = await Promise.all([
    status
      ? scanByStatus((o) => listExecutions(db, id, o), status, { pageSize: PAGE_SIZE, before })
      : listExecutions(db, id, { limit: PAGE_SIZE, before }).then((rows) => ({
          rows,
          next: rows.length === PAGE_SIZE ? rows.at(-1)?.id : undefined,
        })),
    dailyUsage(db, id, 30),
  ]);
  const executions = page.rows;
  const filter = status ? `status=${status}&` : "";
  const olderHref = page.next ? `${base}?${filter}before=${encodeURIComponent(page.next)}` : undefined;
  return (
    <main className="page">
      <div className="page-head">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link href="/">Workflows</Link>/<Link href={`/workflows/${id}`}>{workflow.name}</Link>
          </nav>
          <h1>History</h1>
          <p>Every run of {workflow.name}, newest first.</p>
        </div>
        <Link href={`/workflows/${id}`} className={buttonClass("primary")}>
          Open builder
        </Link>
      </div>
      <DailyUsageChart series={usage} />
      <StatusFilter workflowId={id} current={status} />
      <ExecutionHistoryTable
        executions={executions}
        workflowId={id}
        status={status}
        newerHref={before ? (status ? `${base}?status=${status}` : base) : undefined}
        olderHref={olderHref}
      />
    </main>
  );
}
