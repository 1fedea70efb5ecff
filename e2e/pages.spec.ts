import path from "node:path";
import { type Browser, expect, test } from "@playwright/test";
import { E2E_SHARED_SECRET } from "./e2e-env";
import { startSlowServer } from "./slow-server";

const SECRET_INPUT = "e2e-shared-secret-value-7c1f";

/** trigger → two http nodes in parallel → merge → output. */
function fanOut(url: string) {
  return {
    version: 1,
    name: `Fan-out ${Date.now()}`,
    nodes: [
      { id: "start", type: "trigger", name: "Start", config: {} },
      { id: "fetch_a", type: "http", name: "Fetch A", config: { method: "GET", url: `${url}a` } },
      { id: "fetch_b", type: "http", name: "Fetch B", config: { method: "GET", url: `${url}b` } },
      { id: "join", type: "merge", name: "Join", config: {} },
      { id: "result", type: "output", name: "Result", config: {} },
    ],
    edges: [
      { source: "start", target: "fetch_a" },
      { source: "start", target: "fetch_b" },
      { source: "fetch_a", target: "join" },
      { source: "fetch_b", target: "join" },
      { source: "join", target: "result" },
    ],
  };
}

async function openInFreshContext(browser: Browser, url: string) {
  const context = await browser.newContext();
  expect(await context.cookies()).toEqual([]);
  const page = await context.newPage();
  const response = await page.goto(url);
  return { context, page, response };
}

test("history, execution and share pages after a run", async ({ page, request, browser, baseURL }) => {
  const slow = await startSlowServer(300);
  try {
    const created = await request.post("/api/workflows", { data: fanOut(slow.url) });
    expect(created.status()).toBe(201);
    const { id: workflowId } = (await created.json()) as { id: string };

    const run = await request.post(`/api/workflows/${workflowId}/run`, {
      data: { mode: "immediate", inputs: { token: SECRET_INPUT }, tags: ["e2e"] },
    });
    expect(run.status()).toBe(200);
    const { executionId, status } = (await run.json()) as { executionId: string; status: string };
    expect(status).toBe("succeeded");
    expect(slow.hits()).toBe(2);

    // History
    await page.goto(`/workflows/${workflowId}/executions`);
    const row = page.getByTestId(`history-row-${executionId}`);
    await expect(row).toHaveAttribute("data-status", "succeeded");
    await expect(row).toContainText("immediate");
    await expect(row).toContainText("e2e");
    await page.screenshot({ path: path.join(import.meta.dirname, "screenshots", "history.png") });
    await row.getByTestId("history-link").click();
    await page.waitForURL(`**/executions/${executionId}`);

    // Execution: final colors, parallel bars, details
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    for (const nodeId of ["start", "fetch_a", "fetch_b", "join", "result"]) {
      await expect(page.getByTestId(`node-${nodeId}`)).toHaveAttribute("data-status", "succeeded");
    }
    const barA = page.getByTestId("timeline-bar-fetch_a");
    const barB = page.getByTestId("timeline-bar-fetch_b");
    const span = async (bar: typeof barA) => ({
      start: Number(await bar.getAttribute("data-start")),
      end: Number(await bar.getAttribute("data-end")),
    });
    const a = await span(barA);
    const b = await span(barB);
    expect(a.end - a.start).toBeGreaterThanOrEqual(250);
    expect(b.end - b.start).toBeGreaterThanOrEqual(250);
    expect(
      a.start < b.end && b.start < a.end,
      `bars overlap: a=${JSON.stringify(a)} b=${JSON.stringify(b)}`,
    ).toBe(true);
    const join = await span(page.getByTestId("timeline-bar-join"));
    expect(join.start).toBeGreaterThanOrEqual(Math.max(a.end, b.end));

    await page.getByTestId("node-fetch_a").click();
    await expect(page.getByTestId("node-details")).toHaveAttribute("data-node-id", "fetch_a");
    await expect(page.getByTestId("node-details-output")).toContainText("status");
    await expect(page.getByTestId("node-details-attempts")).toHaveText("1");
    await page.getByTestId("node-start").click();
    await expect(page.getByTestId("node-details-output")).toContainText(SECRET_INPUT);

    await page.screenshot({
      path: path.join(import.meta.dirname, "screenshots", "execution.png"),
      fullPage: true,
    });

    // Share: a link that opens with no cookies, read-only
    await page.getByTestId("share-button").click();
    const shareUrl = page.getByTestId("share-url");
    await expect(shareUrl).toHaveAttribute("data-path", /^\/share\/[A-Za-z0-9_-]+$/);
    const sharePath = (await shareUrl.getAttribute("data-path"))!;

    const shared = await openInFreshContext(browser, `${baseURL}${sharePath}`);
    expect(shared.response?.status()).toBe(200);
    await expect(shared.page.getByTestId("readonly-banner")).toBeVisible();
    await expect(shared.page.getByTestId("execution-view")).toHaveAttribute("data-readonly", "true");
    await expect(shared.page.getByTestId("node-fetch_b")).toHaveAttribute("data-status", "succeeded");
    await expect(shared.page.getByTestId("timeline-bar-fetch_b")).toBeVisible();
    await expect(shared.page.getByTestId("share-button")).toHaveCount(0);
    await expect(shared.page.getByTestId("open-instance-notice")).toHaveCount(0);
    await expect(shared.page.getByRole("button", { name: /^(Cancel|Pause|Resume|Retry)$/ })).toHaveCount(0);
    await shared.page.screenshot({
      path: path.join(import.meta.dirname, "screenshots", "share.png"),
      fullPage: true,
    });
    await shared.context.close();

    // The owner's page shows the live link again after a reload, rather than offering a new one
    await page.reload();
    await expect(page.getByTestId("share-url")).toHaveAttribute("data-path", sharePath);

    // Revoke: the link now 404s, and a reload offers to share again
    await page.getByTestId("revoke-share").click();
    await expect(page.getByTestId("share-button")).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("share-button")).toBeVisible();
    const revoked = await openInFreshContext(browser, `${baseURL}${sharePath}`);
    expect(revoked.response?.status()).toBe(404);
    await expect(revoked.page.getByTestId("not-found")).toBeVisible();
    await revoked.context.close();
  } finally {
    await slow.close();
  }
});

test("a share page redacts secrets server-side", async ({ page, request, browser, baseURL }) => {
  const secret = E2E_SHARED_SECRET;
  // The secret sits in a node's name (the definition snapshot is stored as written) and in the
  // run's inputs: only the share page's own redaction can hide the first.
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: `Secret ${Date.now()}`,
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "result", type: "output", name: `Key ${secret}`, config: {} },
      ],
      edges: [{ source: "start", target: "result" }],
    },
  });
  const { id } = (await created.json()) as { id: string };
  const run = await request.post(`/api/workflows/${id}/run`, {
    data: { mode: "immediate", inputs: { key: secret } },
  });
  const { executionId } = (await run.json()) as { executionId: string };

  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("node-result")).toContainText(secret);
  await page.getByTestId("share-button").click();
  const sharePath = (await page.getByTestId("share-url").getAttribute("data-path"))!;

  const shared = await openInFreshContext(browser, `${baseURL}${sharePath}`);
  await expect(shared.page.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");
  await expect(shared.page.getByTestId("node-result")).toContainText("Key [REDACTED]");
  expect(await shared.page.content()).not.toContain(secret);
  await shared.page.getByTestId("node-start").click();
  await expect(shared.page.getByTestId("node-details-output")).toContainText(/\[redacted\]/i);
  await shared.context.close();
});

test("unknown executions, workflows and share tokens are 404 pages", async ({ page }) => {
  for (const url of [
    "/executions/nope",
    "/workflows/nope",
    "/workflows/nope/executions",
    "/share/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "/share/not-a-token",
  ]) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
    await expect(page.getByTestId("not-found")).toBeVisible();
  }
});

test("a workflow with no runs shows an empty history", async ({ page, request }) => {
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: `Never run ${Date.now()}`,
      nodes: [{ id: "t", type: "trigger", config: {} }],
      edges: [],
    },
  });
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/workflows/${id}/executions`);
  await expect(page.getByTestId("history-empty")).toBeVisible();
});

test("a failed execution shows the failing node in red with its error, and offers a retry", async ({
  page,
  request,
}) => {
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: `Failing ${Date.now()}`,
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "broken", type: "transform", name: "Broken", config: { expression: "$error('no luck')" } },
        { id: "result", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "broken" },
        { source: "broken", target: "result" },
      ],
    },
  });
  const { id } = (await created.json()) as { id: string };
  const run = await request.post(`/api/workflows/${id}/run`, { data: { mode: "immediate" } });
  const { executionId, status } = (await run.json()) as { executionId: string; status: string };
  expect(status).toBe("failed");

  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "failed");
  await expect(page.getByTestId("node-broken")).toHaveAttribute("data-status", "failed");
  await expect(page.getByTestId("execution-error")).toBeVisible();
  // The failed node is selected on arrival.
  await expect(page.getByTestId("node-details")).toHaveAttribute("data-node-id", "broken");
  await expect(page.getByTestId("node-details-error")).toContainText("no luck");
  await expect(page.getByTestId("control-retry")).toBeVisible();
  await expect(page.getByTestId("control-cancel")).toHaveCount(0);
});
