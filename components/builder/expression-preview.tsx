"use client";

import { useEffect, useState } from "react";
import { evaluatePreview, type PreviewResult, previewScope } from "@/lib/editor/expressions";
import { useEditor, useRunState } from "./editor-context";
import { previewValue } from "./node-summary";

/**
 * Beside an expression field: its value against the last run's data (as n8n shows it), or the
 * reason it has none. A filter's `where` is previewed for the first item, as `$item`.
 */
export function ExpressionPreview({
  nodeId,
  fieldKey,
  source,
}: {
  nodeId: string;
  fieldKey: string;
  source: string;
}) {
  const definition = useEditor((s) => s.definition);
  const nodes = useRunState((s) => s.nodes);
  const inputs = useRunState((s) => s.inputsText);
  const [result, setResult] = useState<PreviewResult | undefined>();

  useEffect(() => {
    let parsedInputs: unknown = {};
    try {
      parsedInputs = inputs.trim() === "" ? {} : JSON.parse(inputs);
    } catch {
      parsedInputs = {};
    }
    const scope = previewScope(definition, nodeId, { inputs: parsedInputs, nodes });
    if (!scope || source.trim() === "") {
      setResult(undefined);
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      let bindings: Record<string, unknown> | undefined;
      if (fieldKey === "where") {
        const node = definition.nodes.find((n) => n.id === nodeId);
        const items = node ? (node.config as Record<string, unknown>).items : undefined;
        const list = typeof items === "string" ? await evaluatePreview(items, scope) : undefined;
        const first = list?.ok && Array.isArray(list.value) ? list.value[0] : undefined;
        bindings = { item: first, index: 0 };
      }
      const next = await evaluatePreview(source, scope, bindings);
      if (live) setResult(next);
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [definition, nodes, inputs, nodeId, fieldKey, source]);

  if (!result) {
    return (
      <p className="bn-preview is-empty" data-testid={`preview-${nodeId}-${fieldKey}`} data-state="none">
        Run the workflow to preview this value.
      </p>
    );
  }
  return (
    <p
      className={`bn-preview${result.ok ? "" : " is-error"}`}
      data-testid={`preview-${nodeId}-${fieldKey}`}
      data-state={result.ok ? "value" : "error"}
      title={result.ok ? JSON.stringify(result.value) : result.error}
    >
      <span className="bn-preview-label">{fieldKey === "where" ? "first item →" : "→"}</span>
      <code>
        {result.ok ? (result.value === undefined ? "undefined" : previewValue(result.value)) : result.error}
      </code>
    </p>
  );
}
