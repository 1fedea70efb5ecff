import { z } from "zod";
import { EngineError } from "@/lib/engine/errors";
import { renderTemplates, stringifyValue } from "@/lib/engine/expressions";
import { clip, defineNodeType, summaryText, templateString } from "../define";

export const EmailConfig = z.strictObject({
  to: z.union([
    z.string().trim().min(1).max(2_000),
    z.array(z.string().trim().min(1).max(320)).min(1).max(100),
  ]),
  subject: z.string().max(2_000),
  text: templateString,
  html: templateString.optional(),
});
export type EmailConfig = z.infer<typeof EmailConfig>;

/** `email`: renders the message's templates and sends it through the mailer port. */
export const emailNode = defineNodeType({
  type: "email",
  label: "Email",
  description: "Sends an email over SMTP.",
  glyph: "✉",
  color: "#db2777",
  config: EmailConfig,
  handles: ["out"],
  defaults: { to: "someone@example.com", subject: "Hello", text: "{{ input }}" },
  fields: [
    { key: "to", kind: "list", required: true, help: "One address, or several separated by commas." },
    { key: "subject", kind: "template", required: true },
    { key: "text", kind: "textarea", required: true },
    { key: "html", kind: "textarea", label: "HTML" },
  ],
  summary: (c) => clip(`to ${Array.isArray(c.to) ? c.to.join(", ") : summaryText(c.to)}`),
  estimate: { typicalMs: 1500, weight: { score: 3, noun: "email" } },
  sideEffects: true,
  async execute(ctx) {
    const { node } = ctx;
    const site = (field: string) => ({ nodeType: node.type, nodeId: node.id, field: `config.${field}` });
    const c = node.config;
    const rawTo = await renderTemplates(c.to, ctx.scope, site("to"));
    const to = (Array.isArray(rawTo) ? rawTo.map(stringifyValue) : stringifyValue(rawTo).split(","))
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (to.length === 0)
      throw new EngineError("invalid_config", `email "${node.id}" config.to gives no recipient`);
    const subject = stringifyValue(await renderTemplates(c.subject, ctx.scope, site("subject")));
    const text = stringifyValue(await renderTemplates(c.text, ctx.scope, site("text")));
    const html =
      c.html === undefined
        ? undefined
        : stringifyValue(await renderTemplates(c.html, ctx.scope, site("html")));
    const sent = await ctx.ports.mailer.send({ to, subject, text, html }, { signal: ctx.signal });
    return { output: { messageId: sent.messageId, accepted: sent.accepted } };
  },
});
