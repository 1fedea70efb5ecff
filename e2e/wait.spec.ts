import { expect, type Page, test } from "@playwright/test";
import { createWorkflow, settle } from "./helpers";

/**
 * Durable waits in the browser (issue 15): a run stops at an approval, its node turns violet with
 * a link to the approval page; a person with no session answers there (a missing required field
 * first, then approves), and the builder watches the node and the run turn green over SSE. The
 * execution page answers an approval itself, lists waiting runs in the history filter, and its
 * share link shows neither the link nor the buttons.
 */

const VIOLET = "rgb(139, 92, 246)";

/** trigger → approve (a required amount) → result; with `hold`, a webhook wait between them. */
function approvalWorkflow(name: string, { hold = false } = {}) {
  const hop = hold ? "hold" : "result";
  return {
    version: 1,
    name,
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      {
        id: "approve",
        type: "wait",
        name: "Manager approval",
        config: {
          for: "approval",
          title: "Approve order 42?",
          message: "Order {{ inputs.order }} for {{ inputs.customer }}",
          fields: [{ name: "amount", label: "Amount", type: "number", required: true }],
        },
        position: { x: 300, y: 0 },
      },
      ...(hold ? [{ id: "hold", type: "wait", config: { for: "webhook" }, position: { x: 600, y: 0 } }] : []),
      { id: "result", type: "output", config: {}, position: { x: hold ? 900 : 600, y: 0 } },
    ],
    edges: [
      { source: "start", target: "approve" },
      { source: "approve", target: hop },
      ...(hold ? [{ source: "hold", target: "result" }] : []),
    ],
  };
}

/** Counts the page loads (documents) of a page, to tell live updates from reloads. */
function countLoads(page: Page): () => number {
  let loads = 0;
  page.on("request", (r) => {
    if (r.resourceType() === "document") loads++;
  });
  return () => loads;
}

test("approve from a phone with no session; the builder turns green live", async ({ page, browser }) => {
  test.setTimeout(180_000);
  const id = await createWorkflow(page, approvalWorkflow(`Approval ${Date.now()}`, { hold: true }));
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();
  await settle(page);

  // The wait node's panel shows what an approval needs, not a duration's or a time's fields.
  await page.getByTestId("node-approve").click();
  await expect(page.getByTestId("config-approve-title")).toHaveValue("Approve order 42?");
  await expect(page.getByTestId("config-approve-fields")).toBeVisible();
  await expect(page.getByTestId("config-approve-ms")).toHaveCount(0);
  await expect(page.getByTestId("config-approve-at")).toHaveCount(0);
  await expect(page.getByTestId("config-approve-timeoutMs")).toBeVisible();

  await page.getByTestId("run-inputs-toggle").click();
  await page.getByTestId("run-inputs").fill(JSON.stringify({ order: 42, customer: "ACME" }));
  await page.getByTestId("run-inputs-toggle").click();
  const loads = countLoads(page);
  await page.getByTestId("run-button").click();

  const node = page.getByTestId("node-approve");
  await expect(node).toHaveAttribute("data-status", "waiting");
  await expect(node).toHaveCSS("border-left-color", VIOLET);
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "waiting");
  await expect(page.getByTestId("waiting-text-approve")).toHaveText("waiting for approval");
  await expect(page.getByTestId("node-result")).not.toHaveAttribute("data-status", "succeeded");
  const link = page.getByTestId("waiting-approval-link-approve");
  const href = (await link.getAttribute("href")) ?? "";
  expect(href).toMatch(/\/approve\/[A-Za-z0-9_-]{20,}$/);

  // Two people open the link, on phones, with no session.
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true };
  const approverContext = await browser.newContext(phone);
  const lateContext = await browser.newContext(phone);
  try {
    const approver = await approverContext.newPage();
    const late = await lateContext.newPage();
    await approver.goto(href);
    await late.goto(href);
    await expect(approver.getByTestId("approval-title")).toHaveText("Approve order 42?");
    await expect(approver.getByTestId("approval-message")).toHaveText("Order 42 for ACME");
    await expect(approver.getByTestId("approval-data")).toContainText('"customer": "ACME"');
    await expect(approver.getByTestId("app-nav")).toHaveCount(0);
    await expect(approver.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
    // Large enough to tap.
    const approveBox = await approver.getByTestId("approval-approve").boundingBox();
    expect(approveBox?.height).toBeGreaterThanOrEqual(44);
    expect((approveBox?.x ?? 0) + (approveBox?.width ?? 0)).toBeLessThanOrEqual(390);

    // Approving without the required amount: the server's error next to the field, still pending.
    await approver.getByTestId("approval-approve").click();
    await expect(approver.getByTestId("approval-error-amount")).toHaveText("Amount is required");
    await expect(approver.getByTestId("approval-field-amount")).toHaveAttribute("aria-invalid", "true");
    await expect(approver.getByTestId("approval-result")).toHaveCount(0);
    await expect(node).toHaveAttribute("data-status", "waiting");

    await approver.getByTestId("approval-field-amount").fill("120.5");
    await approver.getByTestId("approval-comment").fill("Looks fine");
    await approver.getByTestId("approval-approve").click();
    await expect(approver.getByTestId("approval-result")).toHaveAttribute("data-outcome", "approved");
    await expect(approver.getByTestId("approval-result")).toContainText("Approved — thank you");

    // The builder follows it over its event stream: the approval turns green, the run goes on to
    // its webhook wait, which shows the URL that resumes it.
    await expect(node).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("waiting-approve")).toHaveCount(0);
    const hold = page.getByTestId("node-hold");
    await expect(hold).toHaveAttribute("data-status", "waiting");
    await expect(page.getByTestId("waiting-text-hold")).toHaveText("waiting for a webhook");
    const resume = ((await page.getByTestId("waiting-resume-url-hold").textContent()) ?? "").replace(
      /^POST /,
      "",
    );
    expect(resume).toMatch(/\/api\/resume\/[A-Za-z0-9_-]{20,}$/);
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "waiting");

    // Whoever answers late learns the first answer.
    await late.getByTestId("approval-reject").click();
    await expect(late.getByTestId("approval-result")).toHaveAttribute("data-outcome", "approved");
    await expect(late.getByTestId("approval-result")).toContainText("Already answered: approved");

    // The webhook resumes the rest; still no reload.
    expect((await page.request.post(resume, { data: { shipped: true } })).ok()).toBe(true);
    await expect(hold).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("node-result")).toHaveAttribute("data-status", "succeeded");
    await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
    expect(loads()).toBe(0);
    await page.getByTestId("node-approve").click();
    await page.getByTestId("tab-output").click();
    await expect(page.getByTestId("inspector-output")).toContainText('"amount": 120.5');
    await expect(page.getByTestId("inspector-output")).toContainText('"comment": "Looks fine"');

    // The link then shows the answer, read-only.
    await approver.reload();
    await expect(approver.getByTestId("approve-page")).toHaveAttribute("data-state", "resolved");
    await expect(approver.getByTestId("approval-result-comment")).toHaveText("Looks fine");
    await expect(approver.getByTestId("approval-approve")).toHaveCount(0);
  } finally {
    await approverContext.close();
    await lateContext.close();
  }

  // An unknown token is a 404 page.
  const missing = await page.goto(`/approve/${"x".repeat(32)}`);
  expect(missing?.status()).toBe(404);
});

test("the execution page answers an approval; the history filters waiting runs; a share link shows no link", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const id = await createWorkflow(page, approvalWorkflow(`Approval page ${Date.now()}`));
  const run = await page.request.post(`/api/workflows/${id}/run`, {
    data: { mode: "immediate", inputs: { order: 7, customer: "Globex" } },
  });
  expect(run.ok()).toBe(true);
  const { executionId, status } = (await run.json()) as { executionId: string; status: string };
  expect(status).toBe("waiting");

  // History: the waiting filter lists it, the succeeded one does not.
  await page.goto(`/workflows/${id}/executions?status=waiting`);
  await expect(page.getByTestId("history-filter-waiting")).toHaveAttribute("aria-current", "page");
  const row = page.getByTestId(`history-row-${executionId}`);
  await expect(row).toHaveAttribute("data-status", "waiting");
  await expect(row.locator(".badge-dot")).toHaveCSS("background-color", VIOLET);
  await page.getByTestId("history-filter-succeeded").click();
  await expect(page.getByTestId("history-empty")).toContainText("No succeeded runs");
  await expect(page.getByTestId(`history-row-${executionId}`)).toHaveCount(0);

  // The owner's page: violet node, its link, and the answer right there.
  await page.goto(`/executions/${executionId}`);
  await expect(page.getByTestId("node-approve")).toHaveAttribute("data-status", "waiting");
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "waiting");
  await expect(page.getByTestId("live-state")).toContainText("live");
  await expect(page.getByTestId("control-cancel")).toBeVisible();
  const item = page.getByTestId("waiting-item-approve");
  await expect(item).toContainText("Approve order 42?");
  const href = (await page.getByTestId("waiting-panel-approval-link-approve").getAttribute("href")) ?? "";
  expect(href).toMatch(/\/approve\/[A-Za-z0-9_-]{20,}$/);
  await expect(page.getByTestId("waiting-approval-link-approve")).toHaveAttribute("href", href);
  const token = href.split("/").pop() ?? "";

  // A share link of the same execution: the node waits, but no link, token or button anywhere.
  const share = await page.request.post(`/api/executions/${executionId}/share`);
  const { url } = (await share.json()) as { url: string };
  const anonymous = await browser.newContext();
  try {
    const shared = await anonymous.newPage();
    await shared.goto(url);
    await expect(shared.getByTestId("node-approve")).toHaveAttribute("data-status", "waiting");
    await expect(shared.getByTestId("waiting-text-approve")).toHaveText("waiting for approval");
    await expect(shared.getByTestId("waiting-approval-link-approve")).toHaveCount(0);
    await expect(shared.getByTestId("waiting-panel")).toHaveCount(0);
    await expect(shared.getByTestId("approval-approve")).toHaveCount(0);
    expect(await shared.content()).not.toContain(token);
    await anonymous.close();
  } catch (err) {
    await anonymous.close();
    throw err;
  }

  // Reject with a comment (no amount needed to reject): the wait takes its `rejected` handle.
  const loads = countLoads(page);
  await item.getByTestId("approval-comment").fill("Too expensive");
  await item.getByTestId("approval-reject").click();
  await expect(page.getByTestId("toast").first()).toContainText("Manager approval: rejected");
  await expect(page.getByTestId("node-approve")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("node-result")).toHaveAttribute("data-status", "skipped");
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("waiting-panel")).toHaveCount(0);
  expect(loads()).toBe(0);
  await page.getByTestId("node-approve").click();
  await expect(page.getByTestId("node-details-output")).toContainText('"approved": false');
  await expect(page.getByTestId("node-details-output")).toContainText('"comment": "Too expensive"');
});
