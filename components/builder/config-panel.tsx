"use client";

import { useEffect, useMemo, useState } from "react";
import { configFieldsOf, visibleConfigFields } from "@/lib/editor/config-fields";
import { expressionScope } from "@/lib/editor/issues";
import type { EditorNode } from "@/lib/editor/types";
import { nodeTypes } from "@/lib/nodes/registry";
import { ConfigFieldInput } from "./config-field";
import { useEditor, useStores, useValidation } from "./editor-context";
import { SchedulePanel } from "./schedule-panel";
import { WebhookPanel } from "./webhook-panel";
import { WORKFLOW_PANEL_KEYS, WorkflowPanel } from "./workflow-panel";

const EMPTY: Record<string, string> = {};

/** The selected node's settings: id, name, its generated config fields, retry, timeout and onError. */
export function ConfigPanel({ node }: { node: EditorNode }) {
  const { editor } = useStores();
  const edges = useEditor((s) => s.definition.edges);
  const nodes = useEditor((s) => s.definition.nodes);
  const errors = useValidation((s) => s.grouped.byNode[node.id] ?? EMPTY);
  const scope = useMemo(() => {
    const { roots, upstream } = expressionScope({ version: 1, name: "", nodes, edges }, node.id);
    return [...roots, ...upstream];
  }, [nodes, edges, node.id]);
  const workflowPanel = node.type === "workflow";
  const fields = visibleConfigFields(configFieldsOf(node.type), node.config, errors).filter(
    (f) => !(workflowPanel && WORKFLOW_PANEL_KEYS.includes(f.key)),
  );
  const s = editor.getState;
  const endEdit = () => s().endEdit();

  return (
    <div className="bn-config" data-testid="config-panel">
      <p className="bn-muted">{nodeTypes[node.type].description}</p>
      <IdField node={node} error={errors.id} />
      <div className="bn-field">
        <label htmlFor="bn-node-name">Name</label>
        <input
          id="bn-node-name"
          type="text"
          value={node.name ?? ""}
          placeholder={nodeTypes[node.type].label}
          data-testid="config-name"
          onChange={(e) => s().updateNode(node.id, { name: e.target.value || undefined }, `name:${node.id}`)}
          onBlur={endEdit}
        />
      </div>
      {fields.length > 0 && <h3 className="bn-section">Configuration</h3>}
      {workflowPanel && <WorkflowPanel key={node.id} node={node} />}
      {fields.map((field) => (
        <ConfigFieldInput
          key={`${node.id}:${field.key}`}
          field={field}
          nodeId={node.id}
          value={node.config[field.key]}
          error={errors[`config.${field.key}`] ?? (field.key === fields[0]?.key ? errors.config : undefined)}
          scope={scope}
          onChange={(value) => s().setConfigValue(node.id, field.key, value)}
          onCommit={endEdit}
        />
      ))}
      {node.type === "trigger" ? (
        <>
          <SchedulePanel node={node} />
          <WebhookPanel node={node} />
        </>
      ) : (
        <ErrorHandling node={node} errors={errors} />
      )}
    </div>
  );
}

function IdField({ node, error }: { node: EditorNode; error?: string }) {
  const { editor } = useStores();
  const [text, setText] = useState(node.id);
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    setText(node.id);
    setProblem(undefined);
  }, [node.id]);
  const commit = () => {
    const result = editor.getState().renameNode(node.id, text.trim());
    setProblem(result.ok ? undefined : result.reason);
  };
  const message = problem ?? error;
  return (
    <div className={`bn-field${message ? " has-error" : ""}`}>
      <label htmlFor="bn-node-id">Id (used as nodes.{node.id} in expressions)</label>
      <input
        id="bn-node-id"
        type="text"
        className="bn-mono"
        value={text}
        data-testid="config-id"
        aria-invalid={message ? true : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
      {message && (
        <p className="bn-field-error" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}

function ErrorHandling({ node, errors }: { node: EditorNode; errors: Record<string, string> }) {
  const { editor } = useStores();
  const s = editor.getState;
  const retry = node.retry;
  const setRetry = (patch: Partial<NonNullable<EditorNode["retry"]>>) => {
    const next = { maxAttempts: 1, ...retry, ...patch };
    for (const key of Object.keys(next) as Array<keyof typeof next>)
      if (next[key] === undefined) delete next[key];
    s().updateNode(
      node.id,
      { retry: next.maxAttempts === 1 && Object.keys(next).length === 1 ? undefined : next },
      `retry:${node.id}`,
    );
  };
  const num = (v: string) => (v === "" ? undefined : Number(v));
  const err = (key: string) => errors[key];
  return (
    <>
      <h3 className="bn-section">Reliability</h3>
      <div className="bn-field-row">
        <div className={`bn-field${err("retry.maxAttempts") ? " has-error" : ""}`}>
          <label htmlFor="bn-retry-attempts">Attempts</label>
          <input
            id="bn-retry-attempts"
            type="number"
            min={1}
            max={20}
            value={retry?.maxAttempts ?? 1}
            data-testid="config-retry-attempts"
            onChange={(e) => setRetry({ maxAttempts: num(e.target.value) ?? 1 })}
          />
          {err("retry.maxAttempts") && <p className="bn-field-error">{err("retry.maxAttempts")}</p>}
        </div>
        <div className={`bn-field${err("retry.backoffMs") ? " has-error" : ""}`}>
          <label htmlFor="bn-retry-backoff">Backoff ms</label>
          <input
            id="bn-retry-backoff"
            type="number"
            min={0}
            value={retry?.backoffMs ?? ""}
            placeholder="0"
            onChange={(e) => setRetry({ backoffMs: num(e.target.value) })}
          />
        </div>
        <div className={`bn-field${err("retry.backoffFactor") ? " has-error" : ""}`}>
          <label htmlFor="bn-retry-factor">Factor</label>
          <input
            id="bn-retry-factor"
            type="number"
            min={1}
            max={10}
            step="any"
            value={retry?.backoffFactor ?? ""}
            placeholder="1"
            onChange={(e) => setRetry({ backoffFactor: num(e.target.value) })}
          />
        </div>
      </div>
      <div className="bn-field-row">
        <div className={`bn-field${err("timeoutMs") ? " has-error" : ""}`}>
          <label htmlFor="bn-timeout">Timeout ms (per attempt)</label>
          <input
            id="bn-timeout"
            type="number"
            min={1}
            value={node.timeoutMs ?? ""}
            placeholder="none"
            data-testid="config-timeout"
            onChange={(e) =>
              s().updateNode(node.id, { timeoutMs: num(e.target.value) }, `timeout:${node.id}`)
            }
          />
          {err("timeoutMs") && <p className="bn-field-error">{err("timeoutMs")}</p>}
        </div>
        <div className="bn-field">
          <label htmlFor="bn-on-error">On error</label>
          <select
            id="bn-on-error"
            value={node.onError ?? "fail"}
            data-testid="config-on-error"
            onChange={(e) =>
              s().updateNode(node.id, {
                onError: e.target.value === "fail" ? undefined : (e.target.value as EditorNode["onError"]),
              })
            }
          >
            <option value="fail">Fail the run</option>
            <option value="continue">Continue</option>
            <option value="branch">Branch to “error”</option>
          </select>
        </div>
      </div>
    </>
  );
}
