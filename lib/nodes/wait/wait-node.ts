import { z } from "zod";
import { EngineError, NodeSuspended } from "@/lib/engine/errors";
import { evaluateExpression, renderTemplate, stringifyValue } from "@/lib/engine/expressions";
import type { WaitRegistration, WaitResolution } from "@/lib/engine/ports";
import { clip, defineNodeType, expressionString, summaryText, templateString } from "../define";
import { ApprovalFields } from "./approval";

/** The longest a wait may last (a year); `until` further away fails the node. */
const MAX_WAIT_MS = 366 * 86_400_000;
/** A timer this short sleeps in place instead of suspending the run. */
export const INLINE_WAIT_MS = 1000;

export const WaitConfig = z
  .strictObject({
    for: z.enum(["duration", "until", "webhook", "approval"]),
    ms: z.int().min(0).max(MAX_WAIT_MS).optional(),
    at: expressionString.optional(),
    title: z.string().trim().min(1).max(200).optional(),
    message: templateString.optional(),
    fields: ApprovalFields.optional(),
    correlationKey: expressionString.optional(),
    timeoutMs: z.int().min(1).max(MAX_WAIT_MS).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.for === "duration" && c.ms === undefined)
      ctx.addIssue({ code: "custom", path: ["ms"], message: "a duration wait needs ms" });
    if (c.for === "until" && c.at === undefined)
      ctx.addIssue({ code: "custom", path: ["at"], message: "an until wait needs at (an ISO time)" });
    if (c.for === "approval" && c.title === undefined)
      ctx.addIssue({ code: "custom", path: ["title"], message: "an approval needs a title" });
  });
export type WaitConfig = z.infer<typeof WaitConfig>;

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** The handle a resumed wait takes. */
function handleOf(resolution: WaitResolution): string {
  if (resolution.by === "timeout") return "timeout";
  if (resolution.approved === false) return "rejected";
  return "out";
}

/**
 * `wait`: suspends its branch until a timer (`duration`, `until`), a resume webhook, an approval
 * or a correlation key resumes it, or `timeoutMs` passes (`timeout` handle).
 *
 * It registers the wait with the store (`ports.waits`) and throws `NodeSuspended`: the engine
 * checkpoints it `waiting` and, once nothing else can run, the execution rests `waiting` with no
 * runner, timer or connection held. A resume stores its outcome on the wait and queues the run;
 * the node then runs again, finds the outcome and takes its handle. A timer of at most
 * `INLINE_WAIT_MS` just sleeps.
 */
export const waitNode = defineNodeType({
  type: "wait",
  label: "Wait",
  description: "Waits for a time, a webhook, an approval or a correlation key.",
  glyph: "⏸",
  color: "#8b5cf6",
  config: WaitConfig,
  handles: ["out", "rejected", "timeout"],
  handlesFor(c) {
    const handles = ["out"];
    if (c.for === "approval") handles.push("rejected");
    if (c.timeoutMs !== undefined) handles.push("timeout");
    return handles;
  },
  defaults: { for: "approval", title: "Approve?", message: "" },
  fields: [
    { key: "for", kind: "select", label: "Wait for", options: ["duration", "until", "webhook", "approval"] },
    {
      key: "ms",
      kind: "number",
      label: "Milliseconds (duration)",
      integer: true,
      min: 0,
      visibleWhen: (c) => c.for === "duration",
    },
    {
      key: "at",
      kind: "expression",
      label: "Until (ISO time)",
      help: 'e.g. "2026-12-24T09:00:00Z" or $now()',
      visibleWhen: (c) => c.for === "until",
    },
    { key: "title", kind: "text", label: "Approval title", visibleWhen: (c) => c.for === "approval" },
    {
      key: "message",
      kind: "template",
      label: "Approval message",
      visibleWhen: (c) => c.for === "approval",
    },
    {
      key: "fields",
      kind: "json",
      label: "Approval fields",
      help: '[{ "name": "amount", "type": "number", "required": true }]',
      visibleWhen: (c) => c.for === "approval",
    },
    {
      key: "correlationKey",
      kind: "expression",
      label: "Correlation key",
      help: "Resumed by POST /api/workflows/:id/resume",
    },
    {
      key: "timeoutMs",
      kind: "number",
      label: "Timeout (ms)",
      integer: true,
      min: 1,
      help: "Adds a timeout handle.",
    },
  ],
  summary: (c) => {
    switch (c.for) {
      case "duration":
        return `${summaryText(c.ms)} ms`;
      case "until":
        return clip(`until ${summaryText(c.at)}`);
      case "approval":
        return clip(`approval: ${summaryText(c.title)}`);
      default:
        return summaryText(c.for);
    }
  },
  estimate: { typicalMs: (c) => (c.for === "duration" ? (c.ms ?? 0) : 1), waitsOnClock: true },
  sideEffects: true,
  routesByHandle: true,
  suspends: true,
  exposesWaitLinks: (c) => c.for === "webhook" || c.for === "approval",
  async execute(ctx) {
    const { node, clock } = ctx;
    const c = node.config;
    const site = (field: string) => ({ nodeType: node.type, nodeId: node.id, field: `config.${field}` });
    const now = clock.now();
    let dueAt: number | undefined;
    if (c.for === "duration") dueAt = now + (c.ms ?? 0);
    if (c.for === "until") {
      const at = await evaluateExpression(c.at ?? "", ctx.scope, site("at"));
      const t = typeof at === "string" ? Date.parse(at) : Number.NaN;
      if (!Number.isFinite(t))
        throw new EngineError(
          "invalid_time",
          `wait "${node.id}" at must give an ISO time, got ${typeName(at)} ${clip(stringifyValue(at), 60)}`,
        );
      if (t - now > MAX_WAIT_MS)
        throw new EngineError("invalid_time", `wait "${node.id}" at is more than a year away`);
      dueAt = t;
    }
    let correlationKey: string | undefined;
    if (c.correlationKey) {
      const key = await evaluateExpression(c.correlationKey, ctx.scope, site("correlationKey"));
      if (
        (typeof key !== "string" && typeof key !== "number") ||
        String(key) === "" ||
        String(key).length > 500
      )
        throw new EngineError(
          "invalid_key",
          `wait "${node.id}" correlationKey must give a non-empty string, got ${typeName(key)}`,
        );
      correlationKey = String(key);
    }
    const timeoutAt = c.timeoutMs !== undefined ? now + c.timeoutMs : undefined;
    const waits = ctx.ports.waits;
    // A short timer sleeps in place (as does any timer where nothing can suspend, up to a minute).
    if (
      dueAt !== undefined &&
      !correlationKey &&
      (dueAt - now <= INLINE_WAIT_MS || (!waits && dueAt - now <= 60_000))
    ) {
      const timesOut = timeoutAt !== undefined && timeoutAt < dueAt;
      await clock.sleep(Math.max(0, (timesOut ? timeoutAt : dueAt) - now), ctx.signal);
      const resolution: WaitResolution = {
        resumedAt: new Date(clock.now()).toISOString(),
        by: timesOut ? "timeout" : "timer",
      };
      return { output: resolution, handle: handleOf(resolution) };
    }
    if (!waits)
      throw new EngineError(
        "unavailable",
        `wait "${node.id}" can only wait in a whole run (it waits for ${c.for})`,
      );
    const registration: WaitRegistration = {
      key: ctx.key,
      nodeId: node.id,
      for: c.for === "duration" || c.for === "until" ? "time" : c.for,
    };
    if (dueAt !== undefined) registration.dueAt = new Date(dueAt).toISOString();
    if (timeoutAt !== undefined) registration.timeoutAt = new Date(timeoutAt).toISOString();
    if (correlationKey !== undefined) registration.correlationKey = correlationKey;
    if (c.for === "approval") {
      const message = c.message
        ? stringifyValue(await renderTemplate(c.message, ctx.scope, site("message")))
        : undefined;
      registration.approval = { title: c.title ?? "Approve?", data: ctx.input };
      if (message) registration.approval.message = message;
      if (c.fields) registration.approval.fields = c.fields;
    }
    const state = await waits.register(registration);
    if (state.status === "resolved") return { output: state.resolution, handle: handleOf(state.resolution) };
    const until = registration.dueAt ?? registration.timeoutAt;
    throw new NodeSuspended({
      for: registration.for,
      ...(until ? { until } : {}),
      ...(correlationKey ? { key: correlationKey } : {}),
    });
  },
});
