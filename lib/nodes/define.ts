import { z } from "zod";
import type { ExecutorContext, ExecutorResult } from "@/lib/engine/executor";

/**
 * How a config field is edited in the builder's config panel. Declared by each node type, never
 * guessed from key names: `expression` is JSONata (also accepted wrapped in one `{{ … }}`),
 * `template` and `textarea` are text that may embed `{{ … }}`, `code` is JavaScript.
 */
export type FieldKind =
  | "select"
  | "checkbox"
  | "number"
  | "text"
  | "textarea"
  | "template"
  | "expression"
  | "code"
  | "json"
  | "list";

/** One field of a node type's config panel. `key` is a key of the type's config. */
export interface FieldSpec<K extends string = string> {
  key: K;
  kind: FieldKind;
  /** The label shown; default: the key in words. */
  label?: string;
  required?: boolean;
  options?: readonly string[];
  min?: number;
  max?: number;
  integer?: boolean;
  placeholder?: string;
  /** One line under the field. */
  help?: string;
  /**
   * Whether the config panel shows the field for this (possibly half-edited) config; default
   * always. A hidden field keeps its value, and shows anyway while it has an error.
   */
  visibleWhen?: (config: Readonly<Record<string, unknown>>) => boolean;
}

/** What the complexity estimate (`auto` mode) assumes of a node of this type. */
export interface NodeEstimate<C> {
  /** Expected duration when no past duration is known. */
  typicalMs: number | ((config: C) => number);
  /** Extra score per node of this type, and the word for it in the reasons ("LLM", "HTTP"). */
  weight?: { score: number; noun: string };
  /** The node waits on the clock (a delay): its time on the critical path is listed as such. */
  waitsOnClock?: boolean;
}

/**
 * Everything Braid knows about one node type, in one object: schema, handles and defaults; how
 * the palette and the canvas show it; its config-panel fields; what the complexity estimate
 * assumes; how the engine treats it; and its executor.
 *
 * Engine properties replace type checks by name:
 * - `sideEffects: false` lets successors start before the node's checkpoint is durable (a crash
 *   re-runs the node, which is harmless for pure work);
 * - `routesByHandle`: the handle the node takes is decided at run time and checkpointed; a
 *   checkpoint without it is run again on resume rather than guessed;
 * - `collectsOutput`: a succeeded node's output becomes the run's `outputs[nodeId]`;
 * - `startsRun`: the node is a trigger; its input is the run's `inputs`;
 * - `holdsBody`: the node runs a body of nodes per item (a loop).
 */
export interface NodeTypeModule<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  label: string;
  description: string;
  /** One character shown in the node's colored icon. */
  glyph: string;
  /** The icon and minimap color (hex). */
  color: string;
  config: S;
  /** Source handles besides `error` (added when `onError` is "branch"). */
  handles: readonly string[];
  /** The handles a node of this config has, when they depend on it (a subset of `handles`). */
  handlesFor?(config: Partial<Record<keyof z.input<S>, unknown>>): readonly string[];
  /** Config a freshly added node starts with; must parse with `config` (a test checks it). */
  defaults: z.input<S>;
  /** The config panel's fields, in order. Keys edited by a panel of their own are listed in `ownPanels`. */
  fields: readonly FieldSpec<Extract<keyof z.input<S>, string>>[];
  ownPanels?: readonly Extract<keyof z.input<S>, string>[];
  /** A one-line description of a (possibly half-edited) config for the node's card. */
  summary(config: Partial<Record<keyof z.input<S>, unknown>>): string;
  estimate: NodeEstimate<z.infer<S>>;
  /** A per-attempt timeout from the config, combined with the node's own `timeoutMs` (the smaller wins). */
  attemptTimeoutMs?(config: z.infer<S>): number | undefined;
  sideEffects: boolean;
  routesByHandle?: boolean;
  collectsOutput?: boolean;
  startsRun?: boolean;
  /**
   * The node holds a body (the nodes whose `parentId` is its id), which the engine runs per item
   * through `ctx.body`. Such a node is never restored from its own checkpoint: it runs again on
   * resume and its body restores the items that finished.
   */
  holdsBody?: boolean;
  /** The node may suspend (throw `NodeSuspended`): its run needs the wait store (`ports.waits`). */
  suspends?: boolean;
  /**
   * The node is resumed from outside by a link: until it
   * has finished, `nodes.<id>` holds its links (`resumeUrl`, `approvalUrl`) when this says so for
   * its config, so another branch (an email) can send them while it waits.
   */
  exposesWaitLinks?(config: z.infer<S>): boolean;
  execute(ctx: ExecutorContext<z.infer<S>>): Promise<ExecutorResult>;
}

/** Declares a node type; the identity function that lets TypeScript check the module against its schema. */
export function defineNodeType<const T extends string, S extends z.ZodType>(
  module: NodeTypeModule<T, S>,
): NodeTypeModule<T, S> {
  return module;
}

/** Shortens a card summary to fit the node. */
export const clip = (text: string, max = 42) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A config value as summary text. */
export const summaryText = (v: unknown) =>
  typeof v === "string" ? v : v === undefined ? "" : (JSON.stringify(v) ?? "");

/** A config string holding a JSONata expression: required, bounded. */
export const expressionString = z.string().trim().min(1, "expression is required").max(20_000);
/** A config string that may embed `{{ expression }}` templates. */
export const templateString = z.string().max(100_000);
