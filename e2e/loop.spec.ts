import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { settle } from "./helpers";

/**
 * Loops in the browser (issue 12): build a loop with an http node in its body by dragging, run it
 * over 20 items and watch its counter, open item 7, and retry the failed items. A local server
 * answers `/item/<v>` after 150 ms, failing item 13 until told otherwise.
 */

let server: Server;
let base = "";
let failThirteen = true;
const hits = new Map<string, number>();

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const v = (req.url ?? "").split("/").pop() ?? "";
    hits.set(v, (hits.get(v) ?? 0) + 1);
    setTimeout(() => {
      const bad = failThirteen && v === "13";
      res.writeHead(bad ? 500 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(bad ? { error: "item 13 is bad" } : { v: Number(v) }));
    }, 150);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("build a loop by dragging, watch 20 items, open item 7, retry the failed item", async ({ page }) => {
  test.setTimeout(240_000);
  const created = await page.request.post("/api/workflows", {
    data: {
      version: 1,
      name: "Loop in the browser",
      nodes: [{ id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } }],
      edges: [],
      settings: { mode: "queued" },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();
  await settle(page);

  // "+" after the trigger adds the loop, connected; then an http node dragged into its box.
  await page.getByTestId("node-start").hover();
  await page.getByTestId("add-after-start-out").click();
  await page.getByTestId("node-picker-input").fill("loop");
  await page.keyboard.press("Enter");
  const loop = page.getByTestId("node-loop");
  await expect(loop).toBeVisible();
  await settle(page);
  const box = (await loop.boundingBox())!;
  const canvas = (await page.getByTestId("canvas").boundingBox())!;
  await page.getByTestId("palette-http").dragTo(page.getByTestId("canvas"), {
    targetPosition: { x: box.x - canvas.x + box.width / 2, y: box.y - canvas.y + box.height * 0.7 },
  });
  await expect(page.getByTestId("node-http")).toBeVisible();
  await settle(page);
  await page.getByTestId("node-http").click();
  await page.getByTestId("config-http-method").selectOption("GET");
  await page.getByTestId("config-http-url").fill(`${base}/item/{{ $item }}`);

  // "+" after the loop adds the output, connected.
  await page.getByTestId("node-loop").locator(".bn-loop-head .bn-node-title").click();
  await page.getByTestId("config-loop-onItemError").selectOption("continue");
  await expect(page.locator(".react-flow__edge")).toHaveCount(1);
  await page.locator(".react-flow__controls-fitview").click();
  await settle(page);
  await page.getByTestId("node-loop").locator(".bn-loop-head .bn-node-title").hover();
  await page.getByTestId("add-after-loop-out").click();
  await page.getByTestId("node-picker-input").fill("output");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-output")).toBeVisible();
  await page.getByTestId("node-output").click();
  await page.getByTestId("config-output-value").fill("input.count");

  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  const stored = (await (await page.request.get(`/api/workflows/${id}`)).json()) as {
    definition: {
      nodes: Array<{ id: string; parentId?: string }>;
      edges: Array<{ source: string; target: string }>;
    };
  };
  expect(stored.definition.nodes.find((n) => n.id === "http")?.parentId).toBe("loop");
  expect(stored.definition.edges).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ source: "start", target: "loop" }),
      expect.objectContaining({ source: "loop", target: "output" }),
    ]),
  );

  // Run over 20 items and watch the counter go up.
  await page.getByTestId("run-inputs-toggle").click();
  await page
    .getByTestId("run-inputs")
    .fill(JSON.stringify({ items: Array.from({ length: 20 }, (_, i) => i) }));
  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-button").click();
  const counter = page.getByTestId("loop-progress-loop");
  await expect(counter).toHaveAttribute("data-total", "20");
  await expect
    .poll(async () => Number(await counter.getAttribute("data-done")), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect(counter).toHaveAttribute("data-done", "20", { timeout: 30_000 });
  await expect(counter).toHaveAttribute("data-failed", "1");
  await expect(page.getByTestId("node-output")).toHaveAttribute("data-status", "succeeded");

  // Item 7: the body's http node in that item's colors, its output in the inspector.
  await page.locator(".react-flow__controls-fitview").click();
  await settle(page);
  await page.getByTestId("loop-item-loop").fill("7");
  await expect(page.getByTestId("node-http")).toHaveAttribute("data-status", "succeeded");
  await page.getByTestId("node-http").click();
  await page.getByTestId("tab-output").click();
  await expect(page.getByTestId("inspector-item")).toHaveText("item 7");
  await expect(page.getByTestId("inspector-output")).toContainText('"v": 7');
  await page.getByTestId("loop-first-failed-loop").click();
  await expect(page.getByTestId("loop-item-loop")).toHaveValue("13");
  await expect(page.getByTestId("node-http")).toHaveAttribute("data-status", "failed");

  // The same on the execution page, and Retry failed items there runs item 13 only.
  const executions = (await (await page.request.get(`/api/workflows/${id}/executions`)).json()) as {
    executions: Array<{ id: string }>;
  };
  const executionId = executions.executions[0]!.id;
  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("loop-progress-loop")).toHaveAttribute("data-failed", "1");
  await page.getByTestId("loop-item-loop").fill("7");
  await expect(page.getByTestId("node-http")).toHaveAttribute("data-status", "succeeded");
  failThirteen = false;
  const before = new Map(hits);
  await page.getByTestId("loop-retry-failed-loop").click();
  await expect(page.getByTestId("execution-status")).toContainText(/succeeded/i, { timeout: 30_000 });
  await expect(page.getByTestId("loop-progress-loop")).toHaveAttribute("data-failed", "0");
  for (let v = 0; v < 20; v++) {
    expect(hits.get(String(v))).toBe((before.get(String(v)) ?? 0) + (v === 13 ? 1 : 0));
  }
});
