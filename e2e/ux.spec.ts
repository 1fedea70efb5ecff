import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Locator, test } from "@playwright/test";
import { createWorkflow, settle, storedDefinition } from "./helpers";

/**
 * The builder as a newcomer meets it (issue 18): unsaved-work guard, node picker, command palette,
 * keyboard, templates, dark mode, layout and the defects fixed around them.
 */

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not visible");
  return b;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

const simple = (name: string) => ({
  version: 1,
  name,
  nodes: [
    { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
    { id: "double", type: "transform", config: { expression: "inputs.n * 2" }, position: { x: 300, y: 0 } },
    { id: "result", type: "output", config: {}, position: { x: 600, y: 0 } },
  ],
  edges: [
    { source: "start", target: "double" },
    { source: "double", target: "result" },
  ],
});

test("unsaved work: header links, the History link and Back ask first; Cancel keeps the work", async ({
  page,
}) => {
  const id = await createWorkflow(page, simple("Guarded"));
  await page.goto("/");
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();

  // Clean: links leave without a word.
  let asked = 0;
  page.on("dialog", (d) => {
    asked++;
    void (d.message().includes("unsaved") && asked <= 3 ? d.dismiss() : d.accept());
  });
  await page.getByTestId("history-link").click();
  await expect(page).toHaveURL(new RegExp(`/workflows/${id}/executions$`));
  expect(asked).toBe(0);
  await page.goBack();
  await expect(page.getByTestId("builder")).toBeVisible();

  await page.getByTestId("palette-delay").click();
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "true");

  // 1: a header link, dismissed.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" }).click();
  await expect.poll(() => asked).toBe(1);
  await expect(page).toHaveURL(new RegExp(`/workflows/${id}$`));
  await expect(page.getByTestId("node-delay")).toBeVisible();

  // 2: the History link, dismissed.
  await page.getByTestId("history-link").click();
  await expect.poll(() => asked).toBe(2);
  await expect(page.getByTestId("node-delay")).toBeVisible();

  // 3: the browser's Back, dismissed.
  await page.goBack();
  await expect.poll(() => asked).toBe(3);
  await expect(page).toHaveURL(new RegExp(`/workflows/${id}$`));
  await expect(page.getByTestId("node-delay")).toBeVisible();

  // 4: accepted: the app leaves.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" }).click();
  await expect.poll(() => asked).toBe(4);
  await expect(page).toHaveURL(/\/$/);
});

test("the + of a handle and an edge dropped on empty canvas open the node picker and connect the new node", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Picker",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      { id: "check", type: "condition", config: { expression: "true" }, position: { x: 300, y: 0 } },
    ],
    edges: [{ source: "start", target: "check" }],
  });
  await page.goto(`/workflows/${id}`);
  await settle(page);

  await page.getByTestId("node-check").hover();
  await page.getByTestId("add-after-check-false").click();
  const picker = page.getByTestId("node-picker");
  await expect(picker).toBeVisible();
  await expect(page.getByTestId("node-picker-item-trigger")).toHaveCount(0);
  await page.getByTestId("node-picker-input").fill("transf");
  await page.keyboard.press("Enter");
  await expect(picker).toHaveCount(0);
  await expect(page.getByTestId("node-transform")).toBeVisible();

  // Drop a new edge from the true handle on empty canvas.
  await settle(page);
  const handle = await box(page.getByTestId("handle-check-true"));
  const canvas = await box(page.getByTestId("canvas"));
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  const dropX = Math.min(handle.x + 260, canvas.x + canvas.width - 120);
  const dropY = canvas.y + 60;
  await page.mouse.move(dropX - 40, dropY + 20, { steps: 6 });
  await page.mouse.move(dropX, dropY, { steps: 6 });
  await page.mouse.up();
  await expect(picker).toBeVisible();
  await page.getByTestId("node-picker-input").fill("delay");
  await page.getByTestId("node-picker-item-delay").click();
  await expect(page.getByTestId("node-delay")).toBeVisible();

  await page.keyboard.press("Control+s");
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  const def = await storedDefinition(page, id);
  expect(def.edges).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ source: "check", target: "transform", sourceHandle: "false" }),
      expect.objectContaining({ source: "check", target: "delay", sourceHandle: "true" }),
    ]),
  );
});

test("command palette, Ctrl+A and the shortcuts overlay", async ({ page }) => {
  const id = await createWorkflow(page, simple("Commands"));
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();

  // "?" lists every shortcut.
  await page.getByTestId("canvas").click({ position: { x: 20, y: 20 } });
  await page.keyboard.press("Shift+?");
  const overlay = page.getByTestId("shortcuts-overlay");
  await expect(overlay).toBeVisible();
  for (const keys of ["Ctrl/⌘ K", "Ctrl/⌘ A", "Ctrl/⌘ S", "Ctrl/⌘ Enter", "Delete"])
    await expect(overlay).toContainText(keys);
  await page.keyboard.press("Escape");
  await expect(overlay).toHaveCount(0);

  // Ctrl+A selects every node.
  await page.keyboard.press("Control+a");
  for (const n of ["start", "double", "result"])
    await expect(page.getByTestId(`node-${n}`)).toHaveClass(/is-selected/);

  // Add a node.
  await page.keyboard.press("Control+k");
  await expect(page.getByTestId("command-palette")).toBeVisible();
  await page.getByTestId("command-palette-input").fill("add merge");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-merge")).toBeVisible();

  // Jump to a node: it gets selected and its panel opens.
  await page.keyboard.press("Control+k");
  await page.getByTestId("command-palette-input").fill("double");
  await expect(page.getByTestId("command-palette-item-goto:double")).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("node-double")).toHaveClass(/is-selected/);
  await expect(page.getByTestId("side-panel")).toHaveAttribute("aria-label", "Node double");

  // Save, then run from the palette.
  await page.keyboard.press("Control+k");
  await page.getByTestId("command-palette-input").fill("save");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  expect((await storedDefinition(page, id)).nodes.map((n) => n.id)).toContain("merge");

  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-inputs").fill('{"n": 21}');
  await page.getByTestId("run-inputs-toggle").click();
  await page.keyboard.press("Control+k");
  await page.getByTestId("command-palette-input").fill("run");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");

  // Open history.
  await page.keyboard.press("Control+k");
  await page.getByTestId("command-palette-input").fill("history");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/workflows/${id}/executions$`));
});

test("a template from the home page opens in the builder and runs with no keys", async ({ page }) => {
  await page.goto("/");
  const gallery = page.getByTestId("template-gallery");
  await expect(gallery.locator("[data-testid^=template-]")).toHaveCount(8);
  await expect(page.getByTestId("template-llm-summary")).toContainText("OPENAI_API_KEY");
  await page.getByTestId("use-template-filter-transform").click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByTestId("node-open_only")).toBeVisible();
  await expect(page.getByTestId("workflow-valid")).toBeVisible();
  await page.getByTestId("run-button").click();
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  for (const n of ["start", "tickets", "open_only", "summary", "result"])
    await expect(page.getByTestId(`node-${n}`)).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("execution-progress")).toHaveText("5/5");
  await expect(page.getByTestId("run-outputs")).toContainText("Login fails");
});

test("after a run the Output tab shows a node's real input, here an HTTP response", async ({ page }) => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ hello: "from-local-server" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const id = await createWorkflow(page, {
      version: 1,
      name: "Input after run",
      nodes: [
        { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
        {
          id: "fetch",
          type: "http",
          config: { method: "GET", url: `http://127.0.0.1:${port}/x` },
          position: { x: 300, y: 0 },
        },
        {
          id: "use",
          type: "transform",
          config: { expression: "input.body.hello" },
          position: { x: 600, y: 0 },
        },
      ],
      edges: [
        { source: "start", target: "fetch" },
        { source: "fetch", target: "use" },
      ],
    });
    await page.goto(`/workflows/${id}`);
    await page.getByTestId("run-button").click();
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    await page.getByTestId("node-use").click();
    await page.getByTestId("tab-output").click();
    await expect(page.getByTestId("inspector-output")).toContainText("from-local-server");
    await expect(page.getByTestId("inspector-input")).toContainText("from-local-server");
    await expect(page.getByTestId("inspector-input")).toContainText("200");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("dark mode follows the system, the toggle overrides it, on the canvas and the share page", async ({
  page,
  browser,
  baseURL,
}) => {
  await page.emulateMedia({ colorScheme: "dark" });
  const id = await createWorkflow(page, simple("Dark"));
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("canvas")).toHaveAttribute("data-theme", "dark");
  await expect(page.locator(".react-flow")).toHaveClass(/dark/);
  const nodeBg = () => page.getByTestId("node-double").evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await nodeBg()).toBe("rgb(20, 26, 36)");
  const pageBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(pageBg).toBe("rgb(11, 15, 23)");

  // system → dark → light: the light choice wins over a dark system, and survives a reload.
  await page.getByTestId("theme-toggle").click();
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("data-theme-choice", "dark");
  await page.getByTestId("theme-toggle").click();
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("data-theme-choice", "light");
  await expect(page.getByTestId("canvas")).toHaveAttribute("data-theme", "light");
  expect(await nodeBg()).toBe("rgb(255, 255, 255)");
  await page.reload();
  await expect(page.getByTestId("canvas")).toHaveAttribute("data-theme", "light");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");

  // The share page: dark by the system, and no app navigation for anonymous viewers.
  const run = await page.request.post(`/api/workflows/${id}/run`, {
    data: { inputs: { n: 2 }, mode: "immediate" },
  });
  const { executionId } = (await run.json()) as { executionId: string };
  const share = await page.request.post(`/api/executions/${executionId}/share`);
  const { url } = (await share.json()) as { url: string };
  const context = await browser.newContext({ colorScheme: "dark" });
  const anon = await context.newPage();
  await anon.goto(new URL(new URL(url, baseURL).pathname, baseURL).toString());
  await expect(anon.getByTestId("readonly-banner")).toBeVisible();
  await expect(anon.getByTestId("app-nav")).toHaveCount(0);
  await expect(anon.getByRole("link", { name: "Secrets" })).toHaveCount(0);
  expect(await anon.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(11, 15, 23)");
  await context.close();
});

test("layout: left-to-right auto-layout, fit shows every node clear of the minimap, Run node zooms with its node", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Layout",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      { id: "check", type: "condition", config: { expression: "true" }, position: { x: 0, y: 100 } },
      { id: "a", type: "transform", config: { expression: "1" }, position: { x: 0, y: 200 } },
      { id: "b", type: "transform", config: { expression: "2" }, position: { x: 0, y: 300 } },
      { id: "out", type: "output", config: {}, position: { x: 0, y: 400 } },
    ],
    edges: [],
  });
  await page.setViewportSize({ width: 1024, height: 900 });
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("palette-hint")).toBeInViewport();
  await page.getByTestId("auto-layout").click();
  await settle(page);
  const ids = ["start", "check", "a", "b", "out"];
  const boxes = await Promise.all(ids.map((n) => box(page.getByTestId(`node-${n}`))));
  for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x).toBeGreaterThan(boxes[i - 1]!.x);
  const canvas = await box(page.getByTestId("canvas"));
  const minimap = await box(page.locator(".react-flow__minimap"));
  for (const b of boxes) {
    expect(b.x).toBeGreaterThanOrEqual(canvas.x);
    expect(b.y).toBeGreaterThanOrEqual(canvas.y);
    expect(b.x + b.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    expect(b.y + b.height).toBeLessThanOrEqual(canvas.y + canvas.height);
    expect(overlaps(b, minimap)).toBe(false);
  }
  for (const label of await page.locator(".bn-handle-label").all())
    expect(overlaps(await box(label), minimap)).toBe(false);

  // The Run node button lies inside its node's box at any zoom.
  await page.getByTestId("node-a").click();
  const inside = async () => {
    const node = await box(page.getByTestId("node-a"));
    const play = await box(page.getByTestId("node-play-a"));
    expect(play.x).toBeGreaterThanOrEqual(node.x);
    expect(play.y).toBeGreaterThanOrEqual(node.y);
    expect(play.x + play.width).toBeLessThanOrEqual(node.x + node.width + 0.5);
    expect(play.y + play.height).toBeLessThanOrEqual(node.y + node.height + 0.5);
    return play.width / node.width;
  };
  const before = await inside();
  await page.getByRole("button", { name: "Zoom Out" }).click();
  await page.getByRole("button", { name: "Zoom Out" }).click();
  await settle(page);
  const after = await inside();
  expect(Math.abs(after - before)).toBeLessThan(0.02);

  // Panels collapse and come back.
  await page.getByTestId("toggle-palette").click();
  await expect(page.getByTestId("palette-delay")).toHaveCount(0);
  await page.getByTestId("toggle-side").click();
  await expect(page.getByTestId("side-panel")).toHaveCount(0);
  await page.getByTestId("toggle-palette").click();
  await page.getByTestId("toggle-side").click();
  await expect(page.getByTestId("palette-delay")).toBeVisible();
  await expect(page.getByTestId("side-panel")).toBeVisible();
});

test("expressions: {{ }} accepted, a syntax error inline and in Problems before save, a preview from the last run", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "Expressions",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      {
        id: "pick",
        type: "transform",
        config: { expression: "input.items[score > 1].score" },
        position: { x: 300, y: 0 },
      },
      { id: "result", type: "output", config: {}, position: { x: 600, y: 0 } },
    ],
    edges: [
      { source: "start", target: "pick" },
      { source: "pick", target: "result" },
    ],
  });
  await page.goto(`/workflows/${id}`);
  await page.getByTestId("node-pick").click();
  await expect(page.getByTestId("preview-pick-expression")).toHaveAttribute("data-state", "none");

  const field = page.getByTestId("config-pick-expression");
  await field.fill("input.items[score >");
  await expect(page.locator(".bn-field.has-error")).toContainText(/syntax error|not a valid expression/);
  await page.getByTestId("canvas").click({ position: { x: 30, y: 30 } });
  await expect(page.getByTestId("workflow-issues")).toContainText(/syntax error|not a valid expression/);
  await expect(page.getByTestId("workflow-valid")).toHaveCount(0);

  await page.getByTestId("node-pick").click();
  await field.fill("{{ input.items[score > 1].score }}");
  await expect(page.locator(".bn-field.has-error")).toHaveCount(0);
  await page.getByTestId("canvas").click({ position: { x: 30, y: 30 } });
  await expect(page.getByTestId("workflow-valid")).toBeVisible();

  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-inputs").fill('{"items": [{"score": 1}, {"score": 5}]}');
  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-button").click();
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-outputs")).toContainText("5");

  await page.getByTestId("node-pick").click();
  const preview = page.getByTestId("preview-pick-expression");
  await expect(preview).toHaveAttribute("data-state", "value");
  await expect(preview).toContainText("5");
  await field.fill("$count(input.items)");
  await expect(preview).toContainText("2");
  await field.fill('$error("no")');
  await expect(preview).toHaveAttribute("data-state", "error");
});
