import { z } from "zod";
import { EngineError } from "@/lib/engine/errors";
import { renderTemplates, stringifyValue } from "@/lib/engine/expressions";
import { clip, defineNodeType, summaryText, templateString } from "../define";

export const HttpConfig = z.strictObject({
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
  url: z.string().trim().min(1, "url is required").max(8_000),
  headers: z.record(z.string().min(1).max(256), templateString).optional(),
  query: z.record(z.string().min(1).max(256), templateString).optional(),
  body: z.unknown().optional(),
  timeoutMs: z.int().min(1).max(300_000).optional(),
});
export type HttpConfig = z.infer<typeof HttpConfig>;

/**
 * `http`: renders its config's templates and sends the request through the HTTP port (which guards
 * addresses, follows limited redirects, caps the size and parses JSON). Status >= 400 fails.
 */
export const httpNode = defineNodeType({
  type: "http",
  label: "HTTP request",
  description: "Calls a URL; the body is parsed when it is JSON.",
  glyph: "⇄",
  color: "#0891b2",
  config: HttpConfig,
  handles: ["out"],
  // A template, not a real host: an untouched node makes no outbound request until `inputs.url` is given.
  defaults: { method: "GET", url: "{{ inputs.url }}" },
  fields: [
    { key: "method", kind: "select", required: true, options: HttpConfig.shape.method.options },
    {
      key: "url",
      kind: "template",
      label: "URL",
      required: true,
      placeholder: "https://api.example.com/items",
    },
    { key: "headers", kind: "json", help: "An object of header names to values; values may use {{ }}." },
    { key: "query", kind: "json", help: "An object of query parameters; values may use {{ }}." },
    { key: "body", kind: "json", help: "Sent as JSON; strings may use {{ }}." },
    { key: "timeoutMs", kind: "number", label: "Timeout ms", integer: true, min: 1, max: 300_000 },
  ],
  summary: (c) => clip(`${summaryText(c.method)} ${summaryText(c.url)}`),
  estimate: { typicalMs: 800, weight: { score: 3, noun: "HTTP" } },
  attemptTimeoutMs: (c) => c.timeoutMs,
  sideEffects: true,
  async execute(ctx) {
    const { node, scope } = ctx;
    const site = (field: string) => ({ nodeType: node.type, nodeId: node.id, field: `config.${field}` });
    const c = node.config;
    const url = stringifyValue(await renderTemplates(c.url, scope, site("url")));
    const headers = c.headers
      ? stringRecord(await renderTemplates(c.headers, scope, site("headers")))
      : undefined;
    const query = c.query ? stringRecord(await renderTemplates(c.query, scope, site("query"))) : undefined;
    const body = c.body === undefined ? undefined : await renderTemplates(c.body, scope, site("body"));
    const target = withQuery(url.trim(), query, node.id);
    const res = await ctx.ports.http.request({
      method: c.method,
      url: target,
      headers,
      body: c.method === "GET" || c.method === "HEAD" ? undefined : body,
      timeoutMs: c.timeoutMs,
      signal: ctx.signal,
      traceparent: ctx.traceparent,
    });
    if (res.status >= 400) {
      throw new EngineError(
        "http_status",
        `HTTP ${res.status} from ${c.method} ${target}${snippet(res.body)}`,
      );
    }
    return { output: { status: res.status, headers: res.headers, body: res.body } };
  },
});

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = stringifyValue(v);
  return out;
}

function withQuery(url: string, query: Record<string, string> | undefined, nodeId: string): string {
  if (!query || Object.keys(query).length === 0) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError(
      "invalid_url",
      `http "${nodeId}" config.url is not a valid URL: ${url.slice(0, 200)}`,
    );
  }
  for (const [k, v] of Object.entries(query)) parsed.searchParams.append(k, v);
  return parsed.toString();
}

function snippet(body: unknown): string {
  const text = stringifyValue(body).trim();
  if (text === "") return "";
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
