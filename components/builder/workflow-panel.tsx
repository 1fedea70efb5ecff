"use client";

import { useEffect, useMemo, useState } from "react";
import type { EditorNode } from "@/lib/editor/types";
import { workflowInputsOf } from "@/lib/editor/workflow-inputs";
import { isLiteralWorkflowId } from "@/lib/nodes/workflow/workflow-node";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { useEditor, useStores, useValidation } from "./editor-context";
import { getWorkflowDefinition, listWorkflows, type WorkflowListItem } from "./run-client";
import { SearchList } from "./search-list";

const EMPTY: Record<string, string> = {};

/** The keys this panel edits, left out of the `workflow` node's generated fields. */
export const WORKFLOW_PANEL_KEYS: readonly string[] = ["workflowId", "triggerId"];

/**
 * A `workflow` node's child: a searchable picker of the other workflows (or a `{{ expression }}`
 * giving an id), the chosen workflow's trigger, and the `inputs.*` its expressions read.
 */
export function WorkflowPanel({ node }: { node: EditorNode }) {
  const { editor } = useStores();
  const currentId = useEditor((s) => s.workflowId);
  const errors = useValidation((s) => s.grouped.byNode[node.id] ?? EMPTY);
  const value = typeof node.config.workflowId === "string" ? node.config.workflowId : "";
  const triggerId = typeof node.config.triggerId === "string" ? node.config.triggerId : "";
  const [expression, setExpression] = useState(() => !isLiteralWorkflowId(value));
  const [picking, setPicking] = useState(false);
  const [query, setQuery] = useState("");
  const [list, setList] = useState<WorkflowListItem[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [child, setChild] = useState<{ id: string; definition?: WorkflowDefinition; error?: string }>();
  const set = (key: string, next: unknown) => editor.getState().setConfigValue(node.id, key, next);
  const endEdit = () => editor.getState().endEdit();
  const literal = !expression && value.trim() !== "" ? value.trim() : undefined;

  useEffect(() => {
    let live = true;
    listWorkflows()
      .then((rows) => live && setList(rows))
      .catch((err: Error) => live && setListError(err.message));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!literal) return;
    let live = true;
    setChild({ id: literal });
    getWorkflowDefinition(literal)
      .then((definition) => live && setChild({ id: literal, definition }))
      .catch((err: Error) => live && setChild({ id: literal, error: err.message }));
    return () => {
      live = false;
    };
  }, [literal]);

  const others = useMemo(() => (list ?? []).filter((w) => w.id !== currentId), [list, currentId]);
  const items = useMemo(() => {
    const q = query.trim().toLowerCase();
    return others
      .filter((w) => !q || w.name.toLowerCase().includes(q) || w.id.toLowerCase().includes(q))
      .map((w) => ({
        id: w.id,
        label: w.name,
        detail: `${w.id} · ${w.nodeCount} node${w.nodeCount === 1 ? "" : "s"}`,
      }));
  }, [others, query]);

  const loaded = literal && child?.id === literal ? child : undefined;
  const chosenName = list?.find((w) => w.id === literal)?.name ?? loaded?.definition?.name;
  const triggers = loaded?.definition?.nodes.filter((n) => n.type === "trigger") ?? [];
  const inputs = useMemo(
    () => (loaded?.definition ? workflowInputsOf(loaded.definition) : undefined),
    [loaded?.definition],
  );
  const idError = errors["config.workflowId"];
  const triggerError = errors["config.triggerId"];

  const pick = (id: string) => {
    set("workflowId", id);
    if (triggerId) set("triggerId", undefined);
    endEdit();
    setPicking(false);
    setQuery("");
  };

  return (
    <section aria-label="Sub-workflow" data-testid="workflow-panel">
      <div className={`bn-field${idError ? " has-error" : ""}`}>
        <label htmlFor="bn-workflow-id">Workflow</label>
        {expression ? (
          <input
            id="bn-workflow-id"
            type="text"
            className="bn-mono"
            value={value}
            placeholder="{{ nodes.pick.output.workflowId }}"
            data-testid="workflow-expression"
            aria-invalid={idError ? true : undefined}
            onChange={(e) => set("workflowId", e.target.value)}
            onBlur={endEdit}
          />
        ) : (
          <div className="row" style={{ gap: 8, alignItems: "baseline", flexWrap: "wrap" }}>
            <span data-testid="workflow-chosen" data-workflow-id={literal ?? ""}>
              {literal ? (
                <>
                  <strong>{chosenName ?? (loaded?.error ? "unknown workflow" : "…")}</strong>{" "}
                  <code className="bn-muted">{literal}</code>
                </>
              ) : (
                <span className="bn-muted">None chosen</span>
              )}
            </span>
            {literal ? (
              <a
                href={`/workflows/${encodeURIComponent(literal)}`}
                target="_blank"
                rel="noreferrer"
                data-testid="workflow-open"
              >
                open ↗
              </a>
            ) : null}
            <button
              type="button"
              className="bn-link"
              style={{ background: "none", border: 0, padding: 0, cursor: "pointer" }}
              data-testid="workflow-choose"
              aria-expanded={picking}
              onClick={() => setPicking((p) => !p)}
            >
              {picking ? "Cancel" : literal ? "Change…" : "Choose a workflow…"}
            </button>
          </div>
        )}
        {idError ? (
          <p className="bn-field-error" role="alert">
            {idError}
          </p>
        ) : null}
        {!expression && picking ? (
          <div
            style={{ border: "1px solid var(--border)", borderRadius: 6, maxHeight: 260, display: "flex" }}
          >
            {list === null && !listError ? (
              <p className="bn-muted" style={{ padding: 8 }}>
                Loading workflows…
              </p>
            ) : listError ? (
              <p className="bn-field-error" style={{ padding: 8 }}>
                {listError}
              </p>
            ) : (
              <SearchList
                items={items}
                query={query}
                onQuery={setQuery}
                onPick={pick}
                onClose={() => setPicking(false)}
                placeholder="Search workflows by name or id"
                label="Workflows"
                testId="workflow-picker"
              />
            )}
          </div>
        ) : null}
      </div>
      <div className="bn-field is-inline">
        <label htmlFor="bn-workflow-expression">Use an expression</label>
        <input
          id="bn-workflow-expression"
          type="checkbox"
          checked={expression}
          data-testid="workflow-use-expression"
          onChange={(e) => {
            setExpression(e.target.checked);
            setPicking(false);
            // Switching back from an expression drops it: it is no workflow id to show.
            if (!e.target.checked && !isLiteralWorkflowId(value)) set("workflowId", "");
          }}
        />
      </div>
      <div className={`bn-field${triggerError ? " has-error" : ""}`}>
        <label htmlFor="bn-workflow-trigger">Trigger</label>
        {literal && loaded?.definition ? (
          <select
            id="bn-workflow-trigger"
            value={triggerId}
            data-testid="workflow-trigger"
            aria-invalid={triggerError ? true : undefined}
            onChange={(e) => set("triggerId", e.target.value || undefined)}
          >
            <option value="">(its first trigger)</option>
            {triggerId && !triggers.some((t) => t.id === triggerId) ? (
              <option value={triggerId}>{triggerId} (not in it)</option>
            ) : null}
            {triggers.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name ? `${t.name} (${t.id})` : t.id}
              </option>
            ))}
          </select>
        ) : (
          <input
            id="bn-workflow-trigger"
            type="text"
            className="bn-mono"
            value={triggerId}
            placeholder="its first trigger"
            data-testid="workflow-trigger"
            aria-invalid={triggerError ? true : undefined}
            onChange={(e) => set("triggerId", e.target.value.trim() ? e.target.value : undefined)}
            onBlur={endEdit}
          />
        )}
        {triggerError ? (
          <p className="bn-field-error" role="alert">
            {triggerError}
          </p>
        ) : null}
      </div>
      {literal ? (
        <div className="bn-field" data-testid="workflow-inputs">
          <span className="bn-muted">Inputs it uses</span>
          {loaded?.error ? (
            <p className="bn-field-error">{loaded.error}</p>
          ) : inputs === undefined ? (
            <p className="bn-muted">…</p>
          ) : inputs.length === 0 ? (
            <p className="bn-muted">None: it reads no inputs.*</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {inputs.map((name) => (
                <li key={name}>
                  <code>inputs.{name}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </section>
  );
}
