import { z } from "zod";
import { EngineError, NodeSuspended } from "@/lib/engine/errors";
import { evaluateExpression, renderTemplate, stringifyValue } from "@/lib/engine/expressions";
import type { ChildState } from "@/lib/engine/ports";
import { clip, defineNodeType, expressionString, summaryText } from "../define";

export const WorkflowCallConfig = z.strictObject({
  /** A workflow id, or a `{{ expression }}` giving one. */
  /** Empty in a freshly added node: saving asks for one (see lib/workflow-store/calls.ts). */
  workflowId: z.string().trim().max(2000),
  version: z.int().min(1).optional(),
  triggerId: z.string().trim().min(1).max(200).optional(),
  inputs: expressionString.optional(),
  wait: z.boolean().optional(),
});
export type WorkflowCallConfig = z.infer<typeof WorkflowCallConfig>;

/** Whether a `workflowId` is a literal id (checked at save) rather than computed at run time. */
export const isLiteralWorkflowId = (id: string) => !id.includes("{{");

/** The node's outcome from a child that ended: its outputs, or its error. */
function fromChild(child: ChildState) {
  if (child.status === "succeeded") return { output: child.outputs ?? {} };
  const err = child.error;
  const at = err?.nodeId ? ` at "${err.nodeId}"` : "";
  throw new EngineError(
    child.status === "cancelled" ? "child_cancelled" : "child_failed",
    `child execution ${child.executionId} ${child.status}${at}: ${err?.message ?? child.status} (/executions/${child.executionId})`,
  );
}

/**
 * `workflow`: runs another workflow as a child execution (`parentExecutionId`, `parentNodeId`) and
 * outputs its `outputs`; with `wait: false` it outputs `{ executionId }` once the child is queued.
 *
 * The child is started through `ports.children`, idempotently per node key and attempt. A child
 * that does not end at once (queued, or waiting itself) suspends this node: the parent releases
 * its runner and is resumed when the child ends (a wait on the child in `ports.waits`). A failed
 * child fails the node with the child's error and a link to it.
 */
export const workflowNode = defineNodeType({
  type: "workflow",
  label: "Sub-workflow",
  description: "Runs another workflow and outputs its outputs.",
  glyph: "⧉",
  color: "#0e7490",
  config: WorkflowCallConfig,
  handles: ["out"],
  defaults: { workflowId: "", wait: true },
  fields: [
    {
      key: "version",
      kind: "number",
      integer: true,
      min: 1,
      placeholder: "latest",
      help: "Default: the latest when the run starts.",
    },
    { key: "triggerId", kind: "text", label: "Trigger", placeholder: "its first trigger" },
    {
      key: "inputs",
      kind: "expression",
      label: "Inputs",
      placeholder: "input",
      help: "Default: this node's input.",
    },
    { key: "wait", kind: "checkbox", label: "Wait for it", help: "Off: output { executionId } at once." },
  ],
  ownPanels: ["workflowId"],
  summary: (c) => clip(`runs ${summaryText(c.workflowId) || "…"}${c.wait === false ? " (no wait)" : ""}`),
  estimate: { typicalMs: 200, weight: { score: 10, noun: "sub-workflow" } },
  // Starting the child is idempotent per node key and attempt (a re-run finds the child it
  // started), so successors need not wait for this node's checkpoint to be durable.
  sideEffects: false,
  suspends: true,
  async execute(ctx) {
    const { node } = ctx;
    const c = node.config;
    const site = (field: string) => ({ nodeType: node.type, nodeId: node.id, field: `config.${field}` });
    const rendered = isLiteralWorkflowId(c.workflowId)
      ? c.workflowId
      : await renderTemplate(c.workflowId, ctx.scope, site("workflowId"));
    if (typeof rendered !== "string" || rendered.trim() === "")
      throw new EngineError(
        "invalid_workflow",
        `workflow "${node.id}" workflowId gave ${clip(stringifyValue(rendered), 60) || "nothing"}, not an id`,
      );
    const inputs = c.inputs ? await evaluateExpression(c.inputs, ctx.scope, site("inputs")) : ctx.input;
    const children = ctx.ports.children;
    if (!children)
      throw new EngineError("unavailable", `workflow "${node.id}" needs a run store to start a child`);
    const wait = c.wait !== false;
    const child = await children.start(
      {
        key: ctx.key,
        attempt: ctx.attempt,
        nodeId: node.id,
        workflowId: rendered.trim(),
        ...(c.version !== undefined ? { version: c.version } : {}),
        ...(c.triggerId !== undefined ? { triggerId: c.triggerId } : {}),
        // A plain JSON copy: expression results may be null-prototype objects.
        inputs: JSON.parse(JSON.stringify(inputs ?? {})),
        wait,
        traceparent: ctx.traceparent,
      },
      { signal: ctx.signal },
    );
    if (!wait) return { output: { executionId: child.executionId } };
    const ended = ["succeeded", "failed", "cancelled"].includes(child.status);
    const waits = ctx.ports.waits;
    if (ended && child.fresh) return fromChild(child);
    if (!waits) {
      if (ended) return fromChild(child);
      throw new EngineError(
        "unavailable",
        `child execution ${child.executionId} is still ${child.status}; open /executions/${child.executionId}`,
      );
    }
    // Always through the wait, even for a child that ended: its outcome is consumed there once.
    const state = await waits.register({
      key: `${ctx.key}@${ctx.attempt}`,
      nodeId: node.id,
      for: "execution",
      childExecutionId: child.executionId,
    });
    if (state.status === "resolved") return fromChild(state.resolution.data as ChildState);
    if (ended) return fromChild(child);
    throw new NodeSuspended({ for: "execution", executionId: child.executionId });
  },
});
