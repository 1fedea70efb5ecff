import { expect, type Page, test } from "@playwright/test";
import { startGatedServer } from "./gated-server";

function gatedWorkflow(url: string) {
  return {
    version: 1,
    name: `Live ${Date.now()}`,
    nodes: [
      { id: "start", type: "trigger", config: {} },
      { id: "wait", type: "http", name: "Wait for the gate", config: { method: "GET", url } },
      { id: "result", type: "output", config: {} },
    ],
    edges: [
      { source: "start", target: "wait" },
      { source: "wait", target: "result" },
    ],
  };
}

async function startQueuedRun(page: Page, url: string): Promise<string> {
  const created = await page.request.post("/api/workflows", { data: gatedWorkflow(url) });
  const { id } = (await created.json()) as { id: string };
  const run = await page.request.post(`/api/workflows/${id}/run`, { data: { mode: "queued" } });
  expect(run.status()).toBe(202);
  return ((await run.json()) as { executionId: string }).executionId;
}

test("the execution page follows a run live, without reloading", async ({ page }) => {
  const gate = await startGatedServer();
  try {
    const executionId = await startQueuedRun(page, gate.url);
    await gate.waitForRequest();
    await page.goto(`/executions/${executionId}`);
    await expect(page.getByTestId("node-wait")).toHaveAttribute("data-status", "running");
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "running");
    await expect(page.getByTestId("live-state")).toContainText("live");
    await expect(page.getByTestId("timeline-bar-wait")).toHaveAttribute("data-status", "running");

    gate.release();
    await expect(page.getByTestId("node-wait")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("control-retry")).toHaveCount(0);
  } finally {
    await gate.close();
  }
});

test("a share link follows a running execution live, in a browser with no session", async ({
  page,
  browser,
}) => {
  const gate = await startGatedServer();
  try {
    const executionId = await startQueuedRun(page, gate.url);
    await gate.waitForRequest();
    const share = await page.request.post(`/api/executions/${executionId}/share`);
    const { url } = (await share.json()) as { url: string };

    const anonymous = await browser.newContext();
    const shared = await anonymous.newPage();
    let polledPage = 0;
    shared.on("request", (r) => {
      if (r.url().includes(url) && r.resourceType() !== "eventsource") polledPage++;
    });
    await shared.goto(url);
    await expect(shared.getByTestId("node-wait")).toHaveAttribute("data-status", "running");
    await expect(shared.getByTestId("live-state")).toContainText("live");
    const loadsBefore = polledPage;

    gate.release();
    await expect(shared.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");
    await expect(shared.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    // Updated by its event stream, not by re-reading the page.
    expect(polledPage).toBe(loadsBefore);
    await anonymous.close();
  } finally {
    await gate.close();
  }
});

test("cancel stops a running execution and retry runs it again", async ({ page }) => {
  const gate = await startGatedServer();
  try {
    const executionId = await startQueuedRun(page, gate.url);
    await gate.waitForRequest();
    await page.goto(`/executions/${executionId}`);
    await expect(page.getByTestId("node-wait")).toHaveAttribute("data-status", "running");

    await page.getByTestId("control-cancel").click();
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "cancelled");
    await expect(page.getByTestId("node-result")).not.toHaveAttribute("data-status", "succeeded");

    gate.release();
    await page.getByTestId("control-retry").click();
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("node-wait")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");
  } finally {
    await gate.close();
  }
});
