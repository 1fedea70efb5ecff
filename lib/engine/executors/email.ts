import { EngineError } from "../errors";
import type { Executor } from "../executor";
import { renderTemplates, stringifyValue } from "../expressions";

/** `email`: renders the message's templates and sends it through the mailer port. */
export const emailExecutor: Executor<"email"> = async (ctx) => {
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
    c.html === undefined ? undefined : stringifyValue(await renderTemplates(c.html, ctx.scope, site("html")));
  const sent = await ctx.ports.mailer.send({ to, subject, text, html }, { signal: ctx.signal });
  return { output: { messageId: sent.messageId, accepted: sent.accepted } };
};
