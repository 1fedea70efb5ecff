import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { createWorkflow, drag, settle, storedDefinition } from "./helpers";

/**
 * The visual builder at /workflows/:id, driven like a user: palette, handles, config panel,
 * keyboard, Run, play buttons, inspector, import/export. The app runs with
 * HTTP_ALLOW_PRIVATE_NETWORK=true so http nodes can reach the local server started here.
 */

interface LocalServer {
  url: string;
  close(): Promise<void>;
}

/** `/slow/*` answers JSON after `delayMs`, `/fail` answers 500, anything else JSON at once. */
async function startServer(delayMs: number): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url?.startsWith("/fail")) return reply(500, { error: "upstream broke" });
    if (req.url?.startsWith("/slow"))
      return void setTimeout(() => reply(200, { path: req.url, ok: true }), delayMs);
    reply(200, { path: req.url, ok: true });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function connect(page: Page, source: string, target: string, handle = "out") {
  await settle(page);
  await drag(page, page.getByTestId(`handle-${source}-${handle}`), page.getByTestId(`handle-${target}-in`));
}

let server: LocalServer;
test.beforeAll(async () => {
  server = await startServer(1500);
});
test.afterAll(async () => {
  await server.close();
});

test("build a workflow from an empty canvas, save, reload, run it live and play a node", async ({ page }) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Built in the browser",
    nodes: [{ id: "trigger", type: "trigger", config: {}, position: { x: 0, y: 0 } }],
    edges: [],
  });
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();

  // Start from an empty canvas.
  await page.getByTestId("node-trigger").click();
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("canvas-empty")).toBeVisible();
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "true");

  for (const type of ["trigger", "http", "http", "merge", "output"])
    await page.getByTestId(`palette-${type}`).click();
  for (const nodeId of ["trigger", "http", "http_2", "merge", "output"]) {
    await expect(page.getByTestId(`node-${nodeId}`)).toBeVisible();
  }
  await expect(page.getByTestId("canvas-empty")).toHaveCount(0);

  // Configure both http nodes through the generated config panel.
  for (const [nodeId, pathName] of [
    ["http", "slow/a"],
    ["http_2", "slow/b"],
  ] as const) {
    await page.getByTestId(`node-${nodeId}`).click();
    await expect(page.getByTestId("config-panel")).toBeVisible();
    await page.getByTestId(`config-${nodeId}-method`).selectOption("GET");
    await page.getByTestId(`config-${nodeId}-url`).fill(`${server.url}/${pathName}`);
    await page.getByTestId("config-name").fill(nodeId === "http" ? "Fetch A" : "Fetch B");
  }

  // An invalid value is shown inline, next to its field.
  await page.getByTestId("config-http_2-url").fill("");
  await expect(page.locator(".bn-field.has-error")).toContainText("url is required");
  await page.getByTestId("config-http_2-url").fill(`${server.url}/slow/b`);

  await page.getByTestId("auto-layout").click();
  await connect(page, "trigger", "http");
  await connect(page, "trigger", "http_2");
  await page.getByTestId("auto-layout").click();
  await connect(page, "http", "merge");
  await connect(page, "http_2", "merge");
  await page.getByTestId("auto-layout").click();
  await connect(page, "merge", "output");
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);

  // A cycle is refused, with the reason.
  await page.getByTestId("auto-layout").click();
  await connect(page, "merge", "http");
  await expect(page.getByTestId("builder-notice")).toContainText("cycle");
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);

  await page.getByTestId("workflow-valid").or(page.getByTestId("config-panel")).first().waitFor();
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");

  // Reload: everything is still there.
  await page.reload();
  for (const nodeId of ["trigger", "http", "http_2", "merge", "output"]) {
    await expect(page.getByTestId(`node-${nodeId}`)).toBeVisible();
  }
  await expect(page.locator(".react-flow__edge")).toHaveCount(5);
  await expect(page.getByTestId("node-http")).toContainText("Fetch A");
  const stored = await storedDefinition(page, id);
  expect(stored.nodes.map((n) => n.id).sort()).toEqual(["http", "http_2", "merge", "output", "trigger"]);
  expect(stored.nodes.find((n) => n.id === "http")?.config).toEqual({
    method: "GET",
    url: `${server.url}/slow/a`,
  });
  expect(stored.edges).toHaveLength(5);

  // Run: the http nodes go blue (pulsing), then everything goes green.
  await page.getByTestId("run-mode").selectOption("immediate");
  await page.getByTestId("run-button").click();
  await expect(page.getByTestId("node-http")).toHaveAttribute("data-status", "running");
  await expect(page.getByTestId("node-http_2")).toHaveAttribute("data-status", "running");
  await expect(page.getByTestId("node-http")).toHaveCSS("border-left-color", "rgb(59, 130, 246)");
  await page.screenshot({ path: path.join(import.meta.dirname, "screenshots", "builder-running.png") });
  for (const nodeId of ["trigger", "http", "http_2", "merge", "output"]) {
    await expect(page.getByTestId(`node-${nodeId}`)).toHaveAttribute("data-status", "succeeded");
  }
  await expect(page.getByTestId("node-output")).toHaveCSS("border-left-color", "rgb(16, 185, 129)");
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");

  // The inspector shows what a node did.
  await page.getByTestId("node-http").click();
  await page.getByTestId("tab-output").click();
  await expect(page.getByTestId("inspector-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("inspector-output")).toContainText("/slow/a");

  // The play button runs the merge node alone on the last upstream outputs, shown in place.
  await page.getByTestId("node-merge").click();
  await page.getByTestId("node-play-merge").click();
  await expect(page.getByTestId("node-result-merge")).toContainText("slow/a");
  await expect(page.getByTestId("inspector-output")).toContainText("/slow/b");
});

test("a failing node turns red with its error; the untaken branch turns amber", async ({ page }) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Branches",
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "check", type: "condition", config: { expression: "inputs.flag = true" } },
      { id: "broken", type: "http", config: { method: "GET", url: `${server.url}/fail` } },
      { id: "other", type: "transform", config: { expression: "'not taken'" } },
    ],
    edges: [
      { source: "start", target: "check" },
      { source: "check", sourceHandle: "true", target: "broken" },
      { source: "check", sourceHandle: "false", target: "other" },
    ],
  });
  await page.goto(`/workflows/${id}`);
  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-inputs").fill('{ "flag": true }');
  await page.getByTestId("run-inputs-toggle").click();
  await page.keyboard.press("Control+Enter");

  await expect(page.getByTestId("node-check")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("node-broken")).toHaveAttribute("data-status", "failed");
  await expect(page.getByTestId("node-broken")).toHaveCSS("border-left-color", "rgb(239, 68, 68)");
  await expect(page.getByTestId("node-other")).toHaveAttribute("data-status", "skipped");
  await expect(page.getByTestId("node-other")).toHaveCSS("border-left-color", "rgb(245, 158, 11)");
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "failed");

  await page.getByTestId("node-broken").click();
  await page.getByTestId("tab-output").click();
  await expect(page.getByTestId("inspector-error")).toContainText("500");

  // Play with an edited input: the transform's result shows in place and in the inspector.
  await page.getByTestId("node-other").click();
  await page.getByTestId("tab-config").click();
  await page.getByTestId("config-other-expression").fill("{ 'doubled': input.n * 2 }");
  await page.getByTestId("tab-output").click();
  await page.getByTestId("inspector-input-editor").fill('{ "n": 21 }');
  await page.getByTestId("inspector-run-node").click();
  await expect(page.getByTestId("node-result-other")).toContainText('"doubled":42');
  await expect(page.getByTestId("inspector-output")).toContainText("42");
});

test("export then import gives the same workflow; undo, redo, copy, paste, drag from the palette; bad imports are refused", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Round trip",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      {
        id: "wait",
        type: "delay",
        config: { ms: 10 },
        position: { x: 300, y: 0 },
        retry: { maxAttempts: 2 },
      },
      { id: "done", type: "output", config: { value: "input" }, position: { x: 600, y: 0 } },
    ],
    edges: [
      { id: "e1", source: "start", target: "wait" },
      { id: "e2", source: "wait", target: "done" },
    ],
  });
  await page.goto(`/workflows/${id}`);
  const before = await storedDefinition(page, id);

  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-json").click();
  const file = await (await downloading).path();
  const exported = JSON.parse(readFileSync(file, "utf8")) as unknown;
  expect(exported).toEqual(before);

  // Change things, undo one change, then import the export over them.
  await page.getByTestId("node-wait").click();
  await page.keyboard.press("Control+d");
  await expect(page.getByTestId("node-wait_2")).toBeVisible();
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-wait_2")).toHaveCount(0);
  await page.keyboard.press("Control+y");
  await expect(page.getByTestId("node-wait_2")).toBeVisible();
  await page.getByTestId("node-start").click();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-start_2")).toBeVisible();
  await page
    .getByTestId("palette-filter")
    .dragTo(page.getByTestId("canvas"), { targetPosition: { x: 260, y: 140 } });
  await expect(page.getByTestId("node-filter")).toBeVisible();
  await page.getByTestId("node-done").click();
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("node-done")).toHaveCount(0);

  await page.getByTestId("import-file").setInputFiles({
    name: "broken.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify({ ...before, nodes: [{ id: "x", type: "nope", config: {} }] })),
  });
  // Said as a person would, pointing at the node (issue 18), not as a path.
  await expect(page.getByTestId("builder-notice")).toContainText(`Node "x": "nope" is not a node type`);
  await expect(page.getByTestId("node-wait_2")).toBeVisible();

  await page.getByTestId("import-file").setInputFiles(file);
  await expect(page.getByTestId("node-done")).toBeVisible();
  await expect(page.getByTestId("node-wait_2")).toHaveCount(0);
  await expect(page.getByTestId("node-filter")).toHaveCount(0);
  await page.getByTestId("save-button").click();
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  expect(await storedDefinition(page, id)).toEqual(before);
});

test("a long run can be cancelled from the builder; several triggers get a run button each", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Long wait",
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "manual", type: "trigger", config: {} },
      { id: "wait", type: "delay", config: { ms: 60_000 } },
      { id: "done", type: "output", config: {} },
    ],
    edges: [
      { source: "start", target: "wait" },
      { source: "manual", target: "done" },
      { source: "wait", target: "done" },
    ],
  });
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("run-button")).toHaveCount(0);
  await page.getByTestId("run-mode").selectOption("queued");
  await page.getByTestId("run-trigger-start").click();
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", /queued|running/);
  await page.getByTestId("run-cancel").click();
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "cancelled");
  await expect(page.getByTestId("run-trigger-manual")).toBeEnabled();
});

test("a trigger's webhook URL runs the workflow from outside, and stops once revoked", async ({
  page,
  playwright,
  baseURL,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Webhook greeting",
    nodes: [
      { id: "hook", type: "trigger", config: {} },
      { id: "greet", type: "transform", config: { expression: '"hi " & inputs.name' } },
      { id: "out", type: "output", config: {} },
    ],
    edges: [
      { source: "hook", target: "greet" },
      { source: "greet", target: "out" },
    ],
  });
  await page.goto(`/workflows/${id}`);
  await page.getByTestId("node-hook").click();
  await page.getByTestId("tab-config").click();
  await expect(page.getByTestId("webhook-panel")).toHaveAttribute("data-state", "none");
  await page.getByTestId("webhook-create").click();
  const url = page.getByTestId("webhook-url");
  await expect(url).toHaveAttribute("data-path", /^\/api\/webhooks\/[A-Za-z0-9_-]{32}$/);
  const hookPath = (await url.getAttribute("data-path"))!;
  await page.screenshot({ path: path.join(import.meta.dirname, "screenshots", "builder-webhook.png") });

  // An outside caller, with no cookies, starts a run with its body as the trigger's inputs.
  const outsider = await playwright.request.newContext({ baseURL });
  const delivered = await outsider.post(`${hookPath}?mode=immediate`, { data: { name: "Ada" } });
  expect(delivered.status()).toBe(200);
  expect(await delivered.json()).toMatchObject({ status: "succeeded", outputs: { out: "hi Ada" } });

  // The URL is still there after a reload; revoking it makes it answer 404.
  await page.reload();
  await page.getByTestId("node-hook").click();
  await page.getByTestId("tab-config").click();
  await expect(page.getByTestId("webhook-url")).toHaveAttribute("data-path", hookPath);
  await page.getByTestId("webhook-revoke").click();
  await expect(page.getByTestId("webhook-create")).toBeVisible();
  expect((await outsider.post(hookPath, { data: { name: "Bob" } })).status()).toBe(404);
  await outsider.dispose();

  // A trigger added but not saved cannot have a webhook yet.
  await page.getByTestId("palette-trigger").click();
  await page.getByTestId("node-trigger").click();
  await page.getByTestId("tab-config").click();
  await expect(page.getByTestId("webhook-panel")).toHaveAttribute("data-state", "unsaved");
});

test("a trigger gets a schedule: next runs previewed, bad cron refused inline, saved and reloaded", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Every Monday",
    nodes: [
      { id: "weekly", type: "trigger", config: {} },
      { id: "out", type: "output", config: {} },
    ],
    edges: [{ source: "weekly", target: "out" }],
  });
  await page.goto(`/workflows/${id}`);
  await page.getByTestId("node-weekly").click();
  await page.getByTestId("tab-config").click();
  await page.getByTestId("schedule-enabled").check();
  await expect(page.getByTestId("schedule-next")).toContainText("(UTC)");

  await page.getByTestId("schedule-cron").fill("0 25 * * *");
  await expect(page.getByTestId("schedule-panel").getByRole("alert")).toBeVisible();
  await expect(page.getByTestId("schedule-next")).toHaveCount(0);

  await page.getByTestId("schedule-cron").fill("30 9 * * 1");
  await page.getByTestId("schedule-timezone").fill("Europe/Paris");
  await expect(page.getByTestId("schedule-next")).toContainText("09:30");
  await expect(page.getByTestId("schedule-next")).toContainText("Europe/Paris");
  await expect(page.getByTestId("node-weekly")).toContainText("every 30 9 * * 1");
  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  expect((await storedDefinition(page, id)).nodes[0]?.config).toEqual({
    schedule: { cron: "30 9 * * 1", timezone: "Europe/Paris" },
  });

  await page.reload();
  await page.getByTestId("node-weekly").click();
  await page.getByTestId("tab-config").click();
  await expect(page.getByTestId("schedule-cron")).toHaveValue("30 9 * * 1");
  await expect(page.getByTestId("schedule-next")).toContainText("09:30");
});
