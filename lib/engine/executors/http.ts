import { EngineError } from "../errors";
import type { Executor } from "../executor";
import { renderTemplates, stringifyValue } from "../expressions";

/**
 * `http`: renders its config's templates and sends the request through the HTTP port (which guards
 * addresses, follows limited redirects, caps the size and parses JSON). Status >= 400 fails.
 */
export const httpExecutor: Executor<"http"> = async (ctx) => {
  const { node } = ctx;
  const site = { nodeType: node.type, nodeId: node.id, field: "config" };
  const scope = ctx.scope;
  const url = stringifyValue(await renderTemplates(node.config.url, scope, { ...site, field: "config.url" }));
  const headers = node.config.headers
    ? stringRecord(await renderTemplates(node.config.headers, scope, { ...site, field: "config.headers" }))
    : undefined;
  const query = node.config.query
    ? stringRecord(await renderTemplates(node.config.query, scope, { ...site, field: "config.query" }))
    : undefined;
  const body =
    node.config.body === undefined
      ? undefined
      : await renderTemplates(node.config.body, scope, { ...site, field: "config.body" });

  const method = node.config.method;
  const target = withQuery(url.trim(), query, node.id);
  const res = await ctx.ports.http.request({
    method,
    url: target,
    headers,
    body: method === "GET" || method === "HEAD" ? undefined : body,
    timeoutMs: node.config.timeoutMs,
    signal: ctx.signal,
  });
  if (res.status >= 400) {
    throw new EngineError("http_status", `HTTP ${res.status} from ${method} ${target}${snippet(res.body)}`);
  }
  return { output: { status: res.status, headers: res.headers, body: res.body } };
};

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
