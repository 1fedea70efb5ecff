"use client";

import { useState } from "react";
import { IssueList } from "@/components/ui/issue-list";
import { JsonView } from "@/components/ui/json-view";
import { ConfigPanel } from "./config-panel";
import { useEditor, useRunState, useStores, useValidation } from "./editor-context";
import { Inspector } from "./inspector";

type Tab = "config" | "output";

/** The right-hand panel: the selected node's config and output, or the workflow's settings. */
export function SidePanel() {
  const selectedId = useEditor((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : undefined));
  const node = useEditor((s) =>
    selectedId ? s.definition.nodes.find((n) => n.id === selectedId) : undefined,
  );
  const [tab, setTab] = useState<Tab>("config");

  if (!node) return <WorkflowPanel />;
  return (
    <aside className="bn-side" aria-label={`Node ${node.id}`} data-testid="side-panel">
      <div className="bn-side-head">
        <h2 className="bn-panel-title">{node.name || node.id}</h2>
        <div className="bn-tabs" role="tablist" aria-label="Node panel">
          {(["config", "output"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={`bn-tab${tab === t ? " is-active" : ""}`}
              onClick={() => setTab(t)}
              data-testid={`tab-${t}`}
            >
              {t === "config" ? "Configure" : "Output"}
            </button>
          ))}
        </div>
      </div>
      <div className="bn-side-body">
        {tab === "config" ? (
          <ConfigPanel node={node} />
        ) : (
          <Inspector nodeId={node.id} isLlm={node.type === "llm"} />
        )}
      </div>
    </aside>
  );
}

function WorkflowPanel() {
  const { editor } = useStores();
  const settings = useEditor((s) => s.definition.settings);
  const nodeCount = useEditor((s) => s.definition.nodes.length);
  const issues = useValidation((s) => s.issues);
  const outputs = useRunState((s) => s.outputs);
  const runError = useRunState((s) => s.error);
  const logs = useRunState((s) => s.logs);
  const setSetting = (key: "maxConcurrency" | "timeoutMs", value: string) => {
    const next = { ...settings };
    if (value === "") delete next[key];
    else next[key] = Number(value);
    const s = editor.getState();
    s.updateWorkflowSettings(Object.keys(next).length > 0 ? next : undefined);
  };
  return (
    <aside className="bn-side" aria-label="Workflow" data-testid="side-panel">
      <div className="bn-side-head">
        <h2 className="bn-panel-title">Workflow</h2>
      </div>
      <div className="bn-side-body">
        <p className="bn-muted">
          {nodeCount} node{nodeCount === 1 ? "" : "s"}. Select a node to configure it and see its output.
        </p>
        <h3 className="bn-section">Problems</h3>
        {issues.length === 0 ? (
          <p className="bn-ok" data-testid="workflow-valid">
            No problems: ready to save and run.
          </p>
        ) : (
          <IssueList issues={issues.slice(0, 20)} testId="workflow-issues" />
        )}
        <h3 className="bn-section">Settings</h3>
        <div className="bn-field-row">
          <div className="bn-field">
            <label htmlFor="bn-max-concurrency">Max concurrency</label>
            <input
              id="bn-max-concurrency"
              type="number"
              min={1}
              max={1024}
              placeholder="16"
              value={settings?.maxConcurrency ?? ""}
              onChange={(e) => setSetting("maxConcurrency", e.target.value)}
            />
          </div>
          <div className="bn-field">
            <label htmlFor="bn-run-timeout">Run timeout ms</label>
            <input
              id="bn-run-timeout"
              type="number"
              min={1}
              placeholder="600000"
              value={settings?.timeoutMs ?? ""}
              onChange={(e) => setSetting("timeoutMs", e.target.value)}
            />
          </div>
        </div>
        {runError && (
          <div className="bn-error-box" role="alert" data-testid="run-error">
            {runError.nodeId ? <strong>{runError.nodeId}: </strong> : null}
            {runError.message}
          </div>
        )}
        {outputs && Object.keys(outputs).length > 0 && (
          <section>
            <h3 className="bn-section">Run outputs</h3>
            <JsonView value={outputs} openDepth={2} testId="run-outputs" />
          </section>
        )}
        {logs.length > 0 && (
          <section>
            <h3 className="bn-section">Log</h3>
            <ol className="bn-log" data-testid="run-log">
              {logs.slice(-50).map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id and never reorder
                <li key={i} className={`is-${l.level}`}>
                  <time>{new Date(l.at).toLocaleTimeString()}</time> {l.nodeId && <code>{l.nodeId}</code>}{" "}
                  {l.message}
                </li>
              ))}
            </ol>
          </section>
        )}
      </div>
    </aside>
  );
}
