"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useReducer, useState } from "react";
import {
  firstFailedItem,
  type ItemNodeView,
  loopProgressOf,
  useLoopItems,
} from "@/components/loop/use-loop-items";
import { formatDateTime, formatDuration } from "@/components/ui/format";
import { JsonView } from "@/components/ui/json-view";
import { StatusBadge } from "@/components/ui/status-badge";
import { isTerminal } from "@/lib/contract/status";
import { holdsBody } from "@/lib/editor/bodies";
import type { EngineEvent } from "@/lib/engine/ports";
import { subscribeToExecution } from "@/lib/events/client";
import type { ExecutionDetail, ExecutionNodeDetail } from "@/lib/runs/get-execution";
import { type ChildExecutionRow, childLinksOf, childSpansOf } from "./child-links";
import { ComparePanel } from "./compare-panel";
import { executionCostOf, formatUsd } from "./cost";
import { ExecutionCanvas, type LoopBoxProps } from "./execution-canvas";
import { ExecutionControls } from "./execution-controls";
import { type ExecutionState, executionReducer } from "./execution-state";
import { ExecutionTimeline } from "./execution-timeline";
import { NodeDetails } from "./node-details";
import { RerunButton } from "./rerun-button";
import { ShareButton } from "./share-button";
import { buildTimeline } from "./timeline-model";
import { WaitingPanel, waitingNodesOf } from "./waiting-panel";

/** A body node's state in one item, shaped as a node detail for the details panel. */
function itemDetailOf(view: ItemNodeView | undefined): ExecutionNodeDetail | undefined {
  if (!view) return undefined;
  return {
    status: view.status,
    attempts: view.attempts ?? 0,
    startedAt: null,
    finishedAt: null,
    durationMs: view.durationMs ?? null,
    output: view.output ?? null,
    error: view.error ?? null,
    cached: false,
    input: view.input ?? null,
  };
}

const NO_CHILDREN: readonly ChildExecutionRow[] = [];

/**
 * One execution: summary, canvas in final (or live) colors, timeline, per-node details and logs.
 * Both views stream events while the execution is not terminal; the owner's offers controls and
 * sharing. The read-only view (share links) streams from `eventsPath`, which the server redacts.
 */
export function ExecutionView({
  initial,
  readOnly = false,
  shareUrl,
  eventsPath,
  childExecutions = NO_CHILDREN,
}: {
  initial: ExecutionDetail;
  readOnly?: boolean;
  shareUrl?: string | null;
  /** The executions its `workflow` nodes started (the owner's page reads them on the server). */
  childExecutions?: readonly ChildExecutionRow[];
  /** The event stream to follow; default the execution's own (which needs a session). */
  eventsPath?: string;
}) {
  const [state, dispatch] = useReducer(executionReducer, initial as ExecutionState);
  const [selectedId, setSelectedId] = useState<string | null>(
    () => Object.entries(initial.nodes).find(([, n]) => n.status === "failed")?.[0] ?? null,
  );
  const [now, setNow] = useState(() => Date.now());
  const [live, setLive] = useState<"connecting" | "live" | "reconnecting" | "offline">("connecting");
  const router = useRouter();
  const [partials, setPartials] = useState<Record<string, string>>({});
  const terminal = isTerminal(state.status);

  useEffect(() => dispatch({ type: "snapshot", detail: initial }), [initial]);

  // Children started while this page watched: read them (links, timeline spans) once it ends.
  const [endedHere] = useState(() => !isTerminal(initial.status));
  const hasWorkflowNodes = state.definition.nodes.some((n) => n.type === "workflow");
  useEffect(() => {
    if (terminal && endedHere && hasWorkflowNodes && !readOnly) router.refresh();
  }, [terminal, endedHere, hasWorkflowNodes, readOnly, router]);

  useEffect(() => {
    if (terminal) return;
    // Events are applied once per animation frame, so a burst (hundreds of nodes) is one render.
    let queue: EngineEvent[] = [];
    let frame: number | undefined;
    const flush = () => {
      frame = undefined;
      const events = queue;
      queue = [];
      dispatch({ type: "events", events });
    };
    const push = (event: EngineEvent) => {
      queue.push(event);
      frame ??= requestAnimationFrame(flush);
    };
    const unsubscribe = subscribeToExecution(
      state.id,
      {
        onSnapshot: (detail) => {
          queue = [];
          setLive("live");
          dispatch({ type: "snapshot", detail });
        },
        onNode: push,
        onLog: push,
        onExecution: push,
        onPartial: (event) => setPartials((prev) => ({ ...prev, [event.nodeId]: event.text })),
        onError: ({ willRetry }) => setLive(willRetry ? "reconnecting" : "offline"),
      },
      { path: eventsPath },
    );
    return () => {
      unsubscribe();
      if (frame !== undefined) cancelAnimationFrame(frame);
      if (queue.length > 0) flush();
    };
  }, [terminal, state.id, eventsPath]);

  // Elapsed times tick while the run is live; a waiting run shows whole seconds (its countdowns),
  // so it re-renders once a second instead of four times.
  const resting = state.status === "waiting";
  useEffect(() => {
    if (terminal) return;
    const timer = setInterval(() => setNow(Date.now()), resting ? 1000 : 250);
    return () => clearInterval(timer);
  }, [terminal, resting]);

  const iterations = state.iterations;
  const items = useLoopItems({
    executionId: state.id,
    nodes: state.definition.nodes,
    iterations,
    version: state.status,
    // A share page reads items through its token (redacted), like its events.
    basePath: eventsPath ? eventsPath.replace(/\/events$/, "/iterations") : undefined,
  });
  const loops = useMemo(() => {
    const out: Record<string, LoopBoxProps> = {};
    for (const loop of state.definition.nodes) {
      if (!holdsBody(loop)) continue;
      const detail = state.nodes[loop.id];
      const bodyIds = state.definition.nodes.filter((n) => n.parentId === loop.id).map((n) => n.id);
      const progress = loopProgressOf(detail);
      const firstFailed = firstFailedItem(detail, bodyIds, iterations);
      out[loop.id] = {
        progress,
        index: items.picked[loop.id] ?? 0,
        onPick: (i) => items.pick(loop.id, i),
        firstFailed,
        onRetryFailed:
          !readOnly && terminal && !state.nodeId && firstFailed !== undefined
            ? () => {
                void fetch(`/api/executions/${state.id}/retry`, {
                  method: "POST",
                  headers: { "content-type": "application/json" },
                  body: "{}",
                })
                  .then((res) => (res.ok ? res.json() : undefined))
                  .then((body: { status?: ExecutionDetail["status"] } | undefined) => {
                    if (body?.status) dispatch({ type: "status", status: body.status });
                  });
              }
            : undefined,
      };
    }
    return out;
  }, [state, iterations, items, readOnly, terminal]);
  const selectedInBody =
    selectedId !== null && state.definition.nodes.find((n) => n.id === selectedId)?.parentId !== undefined;
  const selectedDetail = selectedId
    ? selectedInBody
      ? itemDetailOf(items.itemNode(selectedId))
      : state.nodes[selectedId]
    : undefined;
  const childLinks = useMemo(() => childLinksOf(state, childExecutions), [state, childExecutions]);
  const childSpans = useMemo(() => childSpansOf(childExecutions), [childExecutions]);
  const timeline = useMemo(() => buildTimeline(state, now, childSpans), [state, now, childSpans]);
  const selectedNode = selectedId ? state.definition.nodes.find((n) => n.id === selectedId) : undefined;
  const { finished, total } = state.progress;
  const cost = executionCostOf(state, terminal);
  const short = state.id.slice(0, 8);
  const waiting = useMemo(
    () => (readOnly ? [] : waitingNodesOf(state.definition, state.nodes)),
    [readOnly, state.definition, state.nodes],
  );

  return (
    <div className="stack" data-testid="execution-view" data-status={state.status} data-readonly={readOnly}>
      <div className="page-head" style={{ marginBottom: 0 }}>
        <div>
          {state.parentExecutionId && !readOnly ? (
            <nav className="breadcrumbs" aria-label="Parent execution" data-testid="parent-breadcrumb">
              <Link href={`/executions/${state.parentExecutionId}`} data-testid="parent-execution-link">
                Parent execution <span className="mono">{state.parentExecutionId.slice(0, 8)}</span>
              </Link>
              {state.parentNodeId ? (
                <>
                  {" › "}
                  <span>
                    node <span className="mono">{state.parentNodeId}</span>
                  </span>
                </>
              ) : null}
            </nav>
          ) : null}
          {readOnly ? null : (
            <nav className="breadcrumbs" aria-label="Breadcrumbs">
              <Link href="/">Workflows</Link>/
              <Link href={`/workflows/${state.workflowId}`}>{state.definition.name}</Link>/
              <Link href={`/workflows/${state.workflowId}/executions`}>History</Link>
            </nav>
          )}
          <div className="row" style={{ gap: 12 }}>
            <h1>
              {readOnly ? state.definition.name : "Execution"} <span className="muted mono">{short}</span>
            </h1>
            <StatusBadge status={state.status} testId="execution-status" />
            {!terminal ? (
              <span className="muted" data-testid="live-state" style={{ fontSize: 12 }}>
                {live === "live" ? "● live" : live === "offline" ? "live updates lost: reload" : `${live}…`}
              </span>
            ) : null}
          </div>
        </div>
        {readOnly ? null : (
          <div className="row">
            <ExecutionControls
              executionId={state.id}
              status={state.status}
              onAccepted={(control, body) => {
                if (control === "retry" && body.executionId && body.executionId !== state.id) {
                  router.push(`/executions/${body.executionId}`);
                } else if (body.status) {
                  dispatch({ type: "status", status: body.status });
                }
              }}
            />
            <ShareButton executionId={state.id} initialUrl={shareUrl} />
          </div>
        )}
      </div>

      <section className="card" aria-label="Summary">
        <dl className="exec-summary">
          <div>
            <dt>Mode</dt>
            <dd>{state.mode}</dd>
          </div>
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(state.startedAt)}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd data-testid="execution-duration">
              {formatDuration(
                state.durationMs ?? (state.startedAt && !terminal ? now - Date.parse(state.startedAt) : null),
              )}
            </dd>
          </div>
          <div>
            <dt>Progress</dt>
            <dd>
              {finished} / {total} nodes
              <div className="progress" aria-hidden>
                <span style={{ width: `${total ? (finished / total) * 100 : 0}%` }} />
              </div>
            </dd>
          </div>
          <div>
            <dt>Version</dt>
            <dd data-testid="execution-version">
              v{state.workflowVersion}
              {readOnly ? null : (
                <>
                  {" · "}
                  <Link
                    href={`/workflows/${state.workflowId}/versions?v=${state.workflowVersion}`}
                    data-testid="open-version"
                  >
                    open this version
                  </Link>
                </>
              )}
            </dd>
          </div>
          {state.sourceExecutionId && !readOnly ? (
            <div>
              <dt>Re-run of</dt>
              <dd>
                <Link
                  href={`/executions/${state.sourceExecutionId}`}
                  className="mono"
                  data-testid="source-execution"
                >
                  {state.sourceExecutionId.slice(0, 8)}
                </Link>
              </dd>
            </div>
          ) : null}
          {state.nodeId ? (
            <div>
              <dt>Single node</dt>
              <dd className="mono">{state.nodeId}</dd>
            </div>
          ) : null}
          {state.tags.length > 0 ? (
            <div>
              <dt>Tags</dt>
              <dd>
                {state.tags.map((t) => (
                  <span key={t} className="tag">
                    {t}
                  </span>
                ))}
              </dd>
            </div>
          ) : null}
          {cost.promptTokens + cost.completionTokens > 0 || cost.savedUsd > 0 ? (
            <div data-testid="execution-cost">
              <dt>LLM</dt>
              <dd>
                {cost.promptTokens} in · {cost.completionTokens} out · {formatUsd(cost.costUsd)}
                {cost.savedUsd > 0 ? <span className="tag">saved {formatUsd(cost.savedUsd)}</span> : null}
              </dd>
            </div>
          ) : null}
          {state.handedOff ? (
            <div>
              <dt>Hand-off</dt>
              <dd>continued in the queue</dd>
            </div>
          ) : null}
        </dl>
        {state.error ? (
          <div style={{ padding: "0 20px 16px" }}>
            <div className="error-box" data-testid="execution-error">
              {state.error.nodeId ? <strong>{state.error.nodeId}: </strong> : null}
              {state.error.message}
            </div>
          </div>
        ) : null}
      </section>

      <WaitingPanel workflowId={state.workflowId} waiting={waiting} />

      <div className="exec-layout">
        <div className="stack">
          <section className="card exec-canvas" aria-label="Canvas">
            <ExecutionCanvas
              definition={state.definition}
              nodes={state.nodes}
              selectedId={selectedId}
              onSelect={setSelectedId}
              itemNode={items.itemNode}
              loops={loops}
              links={!readOnly}
              childLinks={readOnly ? undefined : childLinks}
            />
          </section>
          <section className="card" aria-labelledby="timeline-title">
            <div className="card-head">
              <h2 id="timeline-title">Timeline</h2>
              <span className="muted">{formatDuration(timeline.totalMs)}</span>
            </div>
            <ExecutionTimeline model={timeline} selectedId={selectedId} onSelect={setSelectedId} />
          </section>
          <section className="card" aria-labelledby="logs-title">
            <div className="card-head">
              <h2 id="logs-title">Logs</h2>
              <span className="muted">{state.logs.length}</span>
            </div>
            {state.logs.length === 0 ? (
              <p className="muted" style={{ padding: "12px 20px", margin: 0 }}>
                No log lines.
              </p>
            ) : (
              <ul className="log-list" data-testid="execution-logs">
                {state.logs.map((log, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: logs only grow at the end and have no id
                  <li key={i} data-level={log.level}>
                    <span className="muted">{log.at.slice(11, 23)}</span> {log.level.toUpperCase()}{" "}
                    {log.nodeId ? <strong>{log.nodeId} </strong> : null}
                    {log.message}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {readOnly || state.nodeId ? null : <ComparePanel current={state} />}
          {state.outputs && Object.keys(state.outputs).length > 0 ? (
            <section className="card" aria-labelledby="outputs-title">
              <div className="card-head">
                <h2 id="outputs-title">Outputs</h2>
              </div>
              <div style={{ padding: 16 }}>
                <JsonView value={state.outputs} testId="execution-outputs" />
              </div>
            </section>
          ) : null}
        </div>
        <aside className="card detail-panel" aria-label="Node details">
          <div className="card-head">
            <h2>Node</h2>
          </div>
          {selectedId && !readOnly && terminal && !state.nodeId && state.nodes[selectedId] ? (
            <RerunButton executionId={state.id} nodeId={selectedId} />
          ) : null}
          {selectedInBody ? (
            <p className="muted" style={{ padding: "8px 16px 0", margin: 0 }} data-testid="item-detail-note">
              Item {items.keyOf(selectedNode?.parentId ?? "")} of loop {selectedNode?.parentId}
            </p>
          ) : null}
          <NodeDetails
            node={selectedNode}
            detail={selectedDetail}
            partialText={selectedId ? partials[selectedId] : undefined}
            childExecutionId={selectedId && !readOnly ? childLinks[selectedId] : undefined}
          />
        </aside>
      </div>
    </div>
  );
}
