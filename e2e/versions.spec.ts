import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, type Page, test } from "@playwright/test";

/**
 * Issue 16 end to end: edit and save twice in the builder (once through "Changes" with a
 * message), open the versions, see the diff colours on the canvas, restore, run, re-run from a
 * middle node on the execution page and see the upstream nodes drawn as reused.
 */

interface HitServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

async function startHitServer(): Promise<HitServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ path, n: hits.get(path) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const AMBER = "rgb(245, 158, 11)";

async function borderOf(page: Page, testId: string) {
  return page.getByTestId(testId).evaluate((el) => {
    const s = getComputedStyle(el);
    return { color: s.borderTopColor, style: s.borderTopStyle };
  });
}

test("versions: save twice, diff, restore, run, re-run from a middle node", async ({ page }) => {
  const server = await startHitServer();
  try {
    const created = await page.request.post("/api/workflows", {
      data: {
        version: 1,
        name: "Versions e2e",
        nodes: [
          { id: "start", type: "trigger", position: { x: 0, y: 0 }, config: {} },
          {
            id: "a",
            type: "http",
            position: { x: 260, y: 0 },
            config: { method: "GET", url: `${server.url}/a` },
          },
          {
            id: "b",
            type: "http",
            position: { x: 520, y: 0 },
            config: { method: "GET", url: `${server.url}/b` },
          },
          {
            id: "c",
            type: "transform",
            position: { x: 780, y: 0 },
            config: { expression: "nodes.b.body.n" },
          },
          { id: "out", type: "output", position: { x: 1040, y: 0 }, config: {} },
        ],
        edges: [
          { source: "start", target: "a" },
          { source: "a", target: "b" },
          { source: "b", target: "c" },
          { source: "c", target: "out" },
        ],
      },
    });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };

    // Save 1: edit b's URL, review the change in "Changes", save it with a message.
    await page.goto(`/workflows/${id}`);
    await page.getByTestId("node-b").click();
    await page.getByTestId("config-b-url").fill(`${server.url}/b2`);
    await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "true");
    await page.getByTestId("review-changes").click();
    await expect(page.getByTestId("save-diff").getByTestId("diff-node-b")).toHaveAttribute(
      "data-diff",
      "changed",
    );
    await expect(page.getByTestId("save-diff").getByTestId("field-diff")).toContainText("config.url");
    await page.getByTestId("save-message").fill("point b at b2");
    await page.getByTestId("save-with-message").click();
    await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");

    // Save 2: edit c's expression and save from the toolbar.
    await page.getByTestId("node-c").click();
    await page.getByTestId("config-c-expression").fill("nodes.b.body.n * 10");
    await page.getByTestId("save-button").click();
    await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");

    // Versions: v3 (current), v2 (with the message), v1; the diff of v2 → v3 shows c changed.
    await page.goto(`/workflows/${id}/versions`);
    await expect(page.getByTestId("version-3")).toContainText("current");
    await expect(page.getByTestId("version-2")).toContainText("point b at b2");
    await expect(page.getByTestId("version-1")).toBeVisible();
    await expect(page.getByTestId("diff-title")).toHaveText("v2 → v3");
    await expect(page.getByTestId("diff-node-c")).toHaveAttribute("data-diff", "changed");
    await expect(page.getByTestId("diff-node-b")).toHaveAttribute("data-diff", "unchanged");
    expect((await borderOf(page, "diff-node-c")).color).toBe(AMBER);

    // Compare v1 with v3: both b and c changed, amber; selecting b shows its field diff.
    await page.getByTestId("pick-2").uncheck();
    await page.getByTestId("pick-1").check();
    await expect(page.getByTestId("diff-title")).toHaveText("v1 → v3");
    await expect(page.getByTestId("diff-node-b")).toHaveAttribute("data-diff", "changed");
    expect((await borderOf(page, "diff-node-b")).color).toBe(AMBER);
    await page.getByTestId("diff-node-b").click();
    await expect(page.getByTestId("node-diff")).toHaveAttribute("data-node", "b");
    await expect(page.getByTestId("field-diff")).toContainText("/b2");

    // Restore v2: it becomes v4, the current one; nothing is deleted.
    await page.getByTestId("restore-2").click();
    await expect(page.getByTestId("version-4")).toContainText("current");
    await expect(page.getByTestId("version-4")).toContainText("Restored version 2");
    await expect(page.getByTestId("version-3")).toBeVisible();

    // Run it, then open the execution: it ran version 4.
    const run = await page.request.post(`/api/workflows/${id}/run`, { data: { mode: "immediate" } });
    const ran = (await run.json()) as { executionId: string; status: string };
    expect(ran.status).toBe("succeeded");
    await page.goto(`/executions/${ran.executionId}`);
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("execution-version")).toContainText("v4");
    expect(server.hits.get("/a")).toBe(1);
    expect(server.hits.get("/b2")).toBe(1);

    // Re-run from b: a new execution where start and a are reused (dashed green), b onwards ran again.
    await page.getByTestId("node-b").click();
    await page.getByTestId("rerun-from-here").click();
    await page.waitForURL(
      (url) => url.pathname.startsWith("/executions/") && !url.pathname.endsWith(ran.executionId),
    );
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("source-execution")).toHaveText(ran.executionId.slice(0, 8));
    await expect(page.getByTestId("node-a")).toHaveAttribute("data-reused", "true");
    await expect(page.getByTestId("node-start")).toHaveAttribute("data-reused", "true");
    await expect(page.getByTestId("node-b")).toHaveAttribute("data-reused", "false");
    const reused = await borderOf(page, "node-a");
    expect(reused).toEqual({ color: "rgb(16, 185, 129)", style: "dashed" });
    expect((await borderOf(page, "node-b")).style).toBe("solid");
    expect(server.hits.get("/a")).toBe(1);
    expect(server.hits.get("/b2")).toBe(2);

    // Compare with the source: b's output differs (n: 1 vs 2), a's does not.
    await page.getByTestId("compare-open").click();
    await page.getByTestId("compare-select").selectOption(ran.executionId);
    await expect(page.getByTestId("compare-row-b")).toHaveAttribute("data-differs", "true");
    await expect(page.getByTestId("compare-row-a")).toHaveAttribute("data-differs", "false");
  } finally {
    await server.close();
  }
});
