"use client";

import { useMemo, useState } from "react";
import { JsonView } from "@/components/ui/json-view";
import { NODE_STATUS_COLORS } from "@/lib/workflow/status";
import { useEditor, useRunState, useStores } from "./editor-context";
import { useItemKey, useNodeView } from "./loop-items";

function tokensOf(output: unknown): { promptTokens: number; completionTokens: number } | undefined {
  const usage = (output as { usage?: { promptTokens?: unknown; completionTokens?: unknown } } | null)?.usage;
  if (usage && typeof usage.promptTokens === "number" && typeof usage.completionTokens === "number") {
    return { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens };
  }
  return undefined;
}

/** What the selected node did in the last run (or its last run alone), and a way to run it alone. */
export function Inspector({ nodeId, isLlm }: { nodeId: string; isLlm: boolean }) {
  const { actions } = useStores();
  const parentId = useEditor((s) => s.definition.nodes.find((n) => n.id === nodeId)?.parentId);
  const itemKey = useItemKey(nodeId, parentId);
  const view = useNodeView(nodeId, parentId);
  const partial = useRunState((s) => s.partial[nodeId]);
  const busy = useRunState((s) => s.singleRunning[nodeId] === true);
  const allLogs = useRunState((s) => s.logs);
  const logs = useMemo(() => allLogs.filter((l) => l.nodeId === nodeId).slice(-100), [allLogs, nodeId]);
  const [inputText, setInputText] = useState("");
  const [inputError, setInputError] = useState<string | undefined>();
  const tokens = tokensOf(view?.output);

  const runAlone = () => {
    if (inputText.trim() === "") {
      setInputError(undefined);
      void actions.runNode(nodeId);
      return;
    }
    try {
      const input = JSON.parse(inputText);
      setInputError(undefined);
      void actions.runNode(nodeId, input);
    } catch {
      setInputError("The input is not valid JSON.");
    }
  };

  return (
    <div className="bn-inspector" data-testid="inspector">
      {!view ? (
        <p className="bn-muted" data-testid="inspector-empty">
          This node has not run yet. Run the workflow, or run this node alone below.
        </p>
      ) : (
        <>
          <div className="bn-inspector-meta">
            <span
              className="bn-badge"
              style={{ background: NODE_STATUS_COLORS[view.status] }}
              data-testid="inspector-status"
              data-status={view.status}
            >
              {view.status}
            </span>
            {view.single && <span className="bn-badge is-soft">run alone</span>}
            {itemKey !== undefined && !view.single && (
              <span className="bn-badge is-soft" data-testid="inspector-item">
                item {itemKey}
              </span>
            )}
            {view.cached && (
              <span className="bn-badge is-cached" data-testid="inspector-cached">
                cached
              </span>
            )}
            {view.attempts !== undefined && <span className="bn-meta">attempts {view.attempts}</span>}
            {typeof view.durationMs === "number" && <span className="bn-meta">{view.durationMs} ms</span>}
            {tokens && (
              <span className="bn-meta" data-testid="inspector-tokens">
                {tokens.promptTokens} + {tokens.completionTokens} tokens
              </span>
            )}
          </div>
          {view.error && (
            <div className="bn-error-box" role="alert" data-testid="inspector-error">
              <strong>{view.error.code ?? "error"}</strong> {view.error.message}
            </div>
          )}
          {isLlm && partial && view.status === "running" && (
            <section>
              <h3 className="bn-section">Streaming</h3>
              <pre className="bn-stream" data-testid="inspector-partial" aria-live="polite">
                {partial}
              </pre>
            </section>
          )}
          {view.input !== undefined && (
            <section>
              <h3 className="bn-section">Input</h3>
              <JsonView value={view.input} openDepth={1} testId="inspector-input" />
            </section>
          )}
          {view.output !== undefined && (
            <section>
              <h3 className="bn-section">Output</h3>
              <JsonView value={view.output} openDepth={2} testId="inspector-output" />
            </section>
          )}
          {logs.length > 0 && (
            <section>
              <h3 className="bn-section">Log</h3>
              <ol className="bn-log" data-testid="inspector-log">
                {logs.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: log lines have no id and never reorder
                  <li key={i} className={`is-${l.level}`}>
                    {l.message}
                  </li>
                ))}
              </ol>
            </section>
          )}
        </>
      )}
      <section className="bn-run-alone">
        <h3 className="bn-section">Run this node alone</h3>
        <label htmlFor="bn-single-input" className="bn-muted">
          Input JSON (empty: the upstream outputs of the last run)
        </label>
        <textarea
          id="bn-single-input"
          className="bn-mono"
          rows={3}
          spellCheck={false}
          value={inputText}
          placeholder='e.g. {"items": [1, 2]}'
          data-testid="inspector-input-editor"
          onChange={(e) => setInputText(e.target.value)}
        />
        {inputError && <p className="bn-field-error">{inputError}</p>}
        <button
          type="button"
          className="btn btn-sm"
          onClick={runAlone}
          disabled={busy}
          aria-label={`Run node ${nodeId} alone with this input`}
          data-testid="inspector-run-node"
        >
          {busy ? "Running…" : "Run node"}
        </button>
      </section>
    </div>
  );
}
