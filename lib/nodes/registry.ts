import type { z } from "zod";
import { codeNode } from "./code/code-node";
import { conditionNode } from "./condition/condition-node";
import type { NodeTypeModule } from "./define";
import { delayNode } from "./delay/delay-node";
import { emailNode } from "./email/email-node";
import { filterNode } from "./filter/filter-node";
import { httpNode } from "./http/http-node";
import { llmNode } from "./llm/llm-node";
import { loopNode } from "./loop/loop-node";
import { mergeNode } from "./merge/merge-node";
import { outputNode } from "./output/output-node";
import { transformNode } from "./transform/transform-node";
import { triggerNode } from "./trigger/trigger-node";
import { waitNode } from "./wait/wait-node";
import { workflowNode } from "./workflow/workflow-node";

/**
 * THE list of node types. Adding a type is one folder under `lib/nodes/` and one line here; the
 * workflow schema's union, the palette, icons, colors, config panel, complexity estimate and
 * executors are all derived from it. Palette order is list order.
 */
export const nodeModules = [
  triggerNode,
  httpNode,
  llmNode,
  conditionNode,
  filterNode,
  transformNode,
  codeNode,
  loopNode,
  workflowNode,
  mergeNode,
  delayNode,
  waitNode,
  emailNode,
  outputNode,
] as const;

type Modules = (typeof nodeModules)[number];
/** A node type's name: `"trigger" | "http" | …`. */
export type NodeType = Modules["type"];
/** The module of node type `T`. */
export type NodeModuleOf<T extends NodeType> = Extract<Modules, { type: T }>;
/** The parsed config of node type `T`. */
export type ConfigOf<T extends NodeType> = z.infer<NodeModuleOf<T>["config"]>;

/** What is derived from a list of node-type modules (a test builds one with a toy type added). */
export function buildRegistry(modules: readonly NodeTypeModule[]) {
  const byType: Record<string, NodeTypeModule> = Object.fromEntries(modules.map((m) => [m.type, m]));
  const nodeModuleOf = (type: string): NodeTypeModule | undefined =>
    Object.hasOwn(byType, type) ? byType[type] : undefined;
  return {
    nodeModules: modules,
    nodeTypes: byType,
    NODE_TYPES: modules.map((m) => m.type),
    nodeModuleOf,
    /** Source handles of a node, including `error` when it routes failures. */
    handlesOf(node: { type: string; onError?: string; config?: unknown }): string[] {
      const def = nodeModuleOf(node.type);
      if (!def) return [];
      const handles = [...(def.handlesFor?.(node.config ?? {}) ?? def.handles)];
      if (node.onError === "branch") handles.push("error");
      return handles;
    },
    /** The handle an edge leaves from when it names none. */
    defaultHandleOf(node: { type: string }): string | undefined {
      return nodeModuleOf(node.type)?.handles.includes("out") ? "out" : undefined;
    },
    /** Whether a node starts runs (a trigger). */
    isTriggerNode(node: { type: string }): boolean {
      return nodeModuleOf(node.type)?.startsRun === true;
    },
  };
}

const registry = buildRegistry(nodeModules);

/** Every node type, by name. */
export const nodeTypes = registry.nodeTypes as { [T in NodeType]: NodeModuleOf<T> };
/** Node type names in palette order. */
export const NODE_TYPES = registry.NODE_TYPES as readonly NodeType[];
/** The module of a node's type (undefined for a name Braid does not know). */
export const nodeModuleOf = registry.nodeModuleOf;
export const handlesOf = registry.handlesOf;
export const defaultHandleOf = registry.defaultHandleOf;
export const isTriggerNode = registry.isTriggerNode;
/** Node types that start runs (triggers), for statements that pick a trigger in SQL. */
export const TRIGGER_TYPES: readonly string[] = nodeModules
  .filter((m) => m.startsRun === true)
  .map((m) => m.type);
