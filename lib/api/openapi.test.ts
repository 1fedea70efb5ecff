import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/openapi.json/route";
import { API_ROUTES, type ApiMethod, buildOpenApiDocument } from "./openapi";
import { RunRequest } from "./schemas";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** `app/api/workflows/[id]/run/route.ts` → `/api/workflows/{id}/run`. */
function openApiPathOf(file: string): string {
  return `/${file
    .replace(/(^|\/)route\.ts$/, "")
    .split("/")
    .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"))
    .join("/")}`.replace(/^\/app/, "");
}

/** Every route file under app/api, with the HTTP methods it exports. */
function routeFiles(): Map<string, ApiMethod[]> {
  const files = (readdirSync(path.join(ROOT, "app/api"), { recursive: true }) as string[])
    .map((f) => `app/api/${f.split(path.sep).join("/")}`)
    .filter((f) => /(^|\/)route\.ts$/.test(f));
  const routes = new Map<string, ApiMethod[]>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), "utf8");
    const methods = [
      ...text.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g),
    ]
      .map((m) => String(m[1]).toLowerCase() as ApiMethod)
      .sort();
    routes.set(openApiPathOf(file), methods);
  }
  return routes;
}

type Json = Record<string, unknown>;

/** One operation of a built document, or a failed expectation naming it. */
function operation<T>(doc: unknown, route: string, method: string): T {
  const found = (doc as { paths: Record<string, Record<string, unknown> | undefined> }).paths[route]?.[
    method
  ];
  if (!found) throw new Error(`no ${method} ${route} in the document`);
  return found as T;
}

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

describe("the OpenAPI registry", () => {
  const routes = routeFiles();

  it("finds the route files (the scan itself works)", () => {
    expect(routes.get("/api/workflows/{id}/nodes/{nodeId}/run")).toEqual(["post"]);
    expect(routes.get("/api/workflows/{id}")).toEqual(["delete", "get", "put"]);
  });

  it.each([...routes.keys()].sort())("has an entry for the route %s with each method it exports", (route) => {
    const entry = API_ROUTES[route];
    expect(entry, `${route} has a route file but no entry in API_ROUTES (lib/api/openapi.ts)`).toBeDefined();
    expect(Object.keys(entry ?? {}).sort()).toEqual(routes.get(route));
  });

  it.each(Object.keys(API_ROUTES).sort())("has a route file for the entry %s", (route) => {
    expect(routes.has(route), `${route} is in API_ROUTES but no app/api route file serves it`).toBe(true);
  });
});

describe("GET /api/openapi.json", () => {
  it("answers an OpenAPI 3.1 document of every route, each $ref resolving", async () => {
    const res = await GET(new Request("http://127.0.0.1/api/openapi.json"), undefined);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Json & { paths: Record<string, Json>; components: { schemas: Json } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([...routeFiles().keys()].sort());
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = ref.replace("#/components/schemas/", "");
      expect(doc.components.schemas[name], ref).toBeDefined();
    }
  });

  it("describes a request body with the schema the route parses it with", () => {
    const doc = buildOpenApiDocument() as { components: { schemas: Json } };
    const run = operation<{
      requestBody: { content: { "application/json": { schema: { $ref: string } } } };
      parameters: { name: string; in: string }[];
    }>(doc, "/api/workflows/{id}/run", "post");
    expect(run.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/RunRequest");
    expect(run.parameters).toEqual([{ name: "id", in: "path", required: true, schema: { type: "string" } }]);
    const schema = doc.components.schemas.RunRequest as {
      properties: Record<string, Json>;
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(RunRequest.shape).sort());
    expect(schema.properties.mode).toEqual({ type: "string", enum: ["auto", "immediate", "queued"] });

    const history = operation<{ parameters: { name: string; in: string }[] }>(
      doc,
      "/api/workflows/{id}/executions",
      "get",
    );
    expect(history.parameters.filter((p) => p.in === "query").map((p) => p.name)).toEqual([
      "limit",
      "before",
      "idempotencyKey",
      "topLevel",
      "status",
    ]);
    const definition = doc.components.schemas.WorkflowDefinition as { required: string[] };
    expect(definition.required).toEqual(expect.arrayContaining(["version", "nodes", "edges"]));
  });

  it("marks the routes that need no session, and the cron drain's bearer", () => {
    const doc = buildOpenApiDocument();
    const security = (route: string, method: string) =>
      operation<{ security: unknown[] }>(doc, route, method).security;
    expect(security("/api/webhooks/{token}", "post")).toEqual([]);
    expect(security("/api/share/{token}", "get")).toEqual([]);
    expect(security("/api/cron/drain", "get")).toEqual([{ cronSecret: [] }]);
    expect(security("/api/workflows", "get")).toEqual([{ session: [] }, {}]);
  });
});
