import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ExecutionHistoryTable } from "@/components/execution/execution-history-table";
import { DailyUsageChart } from "@/components/history/daily-usage-chart";
import { StatusFilter } from "@/components/history/status-filter";
import { parseStatusFilter } from "@/components/history/status-param";
import { TopLevelFilter } from "@/components/history/top-level-filter";
import { buttonClass } from "@/components/ui/button";
import { AppError } from "@/lib/api/errors";
import { getDb } from "@/lib/db/client";
import { dailyUsage } from "@/lib/llm/daily-usage";
import { listExecutions } from "@/lib/runs/get-execution";
import { getWorkflowOrThrow, type WorkflowRecord } from "@/lib/workflow-store/service";

export const dynamic = "force-dynamic";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<{
    before?: string | string[];
    status?: string | string[];
    topLevel?: string | string[];
  }>;
};

const PAGE_SIZE = 50;

export const metadata: Metadata = { title: "History" };

export default async function WorkflowHistoryPage({ params, searchParams }: Props) {
  const { id } = await params;
  const { before: beforeParam, status: statusParam, topLevel: topLevelParam } = await searchParams;
  const topLevel = topLevelParam === "true";
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
  const [executions, usage] = await Promise.all([
    listExecutions(db, id, { limit: PAGE_SIZE, before, topLevel, status }),
    dailyUsage(db, id, 30),
  ]);
  const filter = `${status ? `status=${status}&` : ""}${topLevel ? "topLevel=true&" : ""}`;
  const last = executions.at(-1);
  const olderHref =
    executions.length === PAGE_SIZE && last
      ? `${base}?${filter}before=${encodeURIComponent(last.id)}`
      : undefined;
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
      <TopLevelFilter checked={topLevel} />
      <ExecutionHistoryTable
        executions={executions}
        workflowId={id}
        status={status}
        newerHref={before ? (filter ? `${base}?${filter.slice(0, -1)}` : base) : undefined}
        olderHref={olderHref}
      />
    </main>
  );
}
