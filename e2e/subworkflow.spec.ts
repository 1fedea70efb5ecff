import { expect, test } from "@playwright/test";
import { createWorkflow, settle, storedDefinition } from "./helpers";

/**
 * Sub-workflows in the browser (issue 13): pick the child of a `workflow` node in its panel's
 * searchable list, save, run, then follow the node's link to the child execution, see its
 * breadcrumb and output, and go back to the parent. The history can hide child executions.
 */
test("pick a child workflow, run, open the child execution and come back", async ({ page }) => {
  test.setTimeout(120_000);
  const childId = await createWorkflow(page, {
    version: 1,
    name: "Doubler child",
    nodes: [
      { id: "begin", type: "trigger", name: "Begin", config: {}, position: { x: 0, y: 0 } },
      {
        id: "double",
        type: "transform",
        config: { expression: '{ "doubled": inputs.n * 2, "label": inputs["tag"] }' },
        position: { x: 250, y: 0 },
      },
      { id: "result", type: "output", config: {}, position: { x: 500, y: 0 } },
    ],
    edges: [
      { source: "begin", target: "double" },
      { source: "double", target: "result" },
    ],
  });
  const placeholderId = await createWorkflow(page, {
    version: 1,
    name: "Placeholder child",
    nodes: [{ id: "t", type: "trigger", config: {} }],
    edges: [],
  });
  const parentId = await createWorkflow(page, {
    version: 1,
    name: "Parent of doubler",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      {
        id: "sub",
        type: "workflow",
        config: { workflowId: placeholderId, inputs: '{ "n": 21, "tag": "x" }' },
        position: { x: 250, y: 0 },
      },
      { id: "done", type: "output", config: {}, position: { x: 500, y: 0 } },
    ],
    edges: [
      { source: "start", target: "sub" },
      { source: "sub", target: "done" },
    ],
    settings: { mode: "immediate" },
  });

  await page.goto(`/workflows/${parentId}`);
  await expect(page.getByTestId("builder")).toBeVisible();
  await settle(page);
  await page.getByTestId("node-sub").click();
  const panel = page.getByTestId("workflow-panel");
  await expect(panel.getByTestId("workflow-chosen")).toContainText("Placeholder child");

  // The searchable list: the other workflows, never this one; a search narrows it.
  await panel.getByTestId("workflow-choose").click();
  await expect(panel.getByTestId(`workflow-picker-item-${childId}`)).toBeVisible();
  await expect(panel.getByTestId(`workflow-picker-item-${parentId}`)).toHaveCount(0);
  await panel.getByTestId("workflow-picker-input").fill("doubl");
  await expect(panel.getByTestId(`workflow-picker-item-${placeholderId}`)).toHaveCount(0);
  await panel.getByTestId(`workflow-picker-item-${childId}`).click();
  await expect(panel.getByTestId("workflow-chosen")).toContainText("Doubler child");
  await expect(panel.getByTestId("workflow-chosen")).toHaveAttribute("data-workflow-id", childId);
  await expect(panel.getByTestId("workflow-inputs")).toContainText("inputs.n");
  await expect(panel.getByTestId("workflow-inputs")).toContainText("inputs.tag");
  await expect(panel.getByTestId("workflow-trigger").locator("option")).toHaveText([
    "(its first trigger)",
    "Begin (begin)",
  ]);
  await panel.getByTestId("workflow-trigger").selectOption("begin");
  await expect(page.getByTestId("node-open-workflow-sub")).toHaveAttribute("href", `/workflows/${childId}`);

  await page.getByTestId("save-button").click();
  await expect(page.getByTestId("save-state")).toHaveAttribute("data-dirty", "false");
  const saved = (await storedDefinition(page, parentId)).nodes.find((n) => n.id === "sub");
  expect(saved?.config).toMatchObject({ workflowId: childId, triggerId: "begin" });

  await page.getByTestId("run-button").click();
  await expect(page.getByTestId("node-sub")).toHaveAttribute("data-status", "succeeded");
  const details = page.getByTestId("execution-link");
  await expect(details).toBeVisible();
  const parentExecution = ((await details.getAttribute("href")) ?? "").split("/").pop() ?? "";
  await details.click();

  // The parent's execution page: the node links to its child, whose span is on the timeline.
  await expect(page).toHaveURL(new RegExp(`/executions/${parentExecution}$`));
  await expect(page.getByTestId("execution-status")).toContainText("succeeded");
  const childLink = page.getByTestId("node-child-sub");
  await expect(childLink).toBeVisible();
  const childExecution = ((await childLink.getAttribute("href")) ?? "").split("/").pop() ?? "";
  expect(childExecution).not.toBe("");
  await expect(page.getByTestId(`timeline-child-${childExecution}`)).toContainText("child: Doubler child");
  await expect(page.getByTestId(`timeline-child-bar-${childExecution}`)).toBeVisible();
  await page.getByTestId("node-sub").click();
  await expect(page.getByTestId("node-details-child-execution")).toHaveAttribute(
    "href",
    `/executions/${childExecution}`,
  );
  await expect(page.getByTestId("node-details-output")).toContainText("42");
  await childLink.click();

  // The child's page: a breadcrumb back to its parent and node, and the child's own output.
  await expect(page).toHaveURL(new RegExp(`/executions/${childExecution}$`));
  const crumb = page.getByTestId("parent-breadcrumb");
  await expect(crumb).toContainText(`Parent execution ${parentExecution.slice(0, 8)}`);
  await expect(crumb).toContainText("node sub");
  await expect(page.getByTestId("execution-outputs")).toContainText("42");
  await page.getByTestId("parent-execution-link").click();
  await expect(page).toHaveURL(new RegExp(`/executions/${parentExecution}$`));
  await expect(page.getByTestId("node-child-sub")).toBeVisible();

  // The child workflow's history lists the child execution, unless filtered to top-level runs.
  await page.goto(`/workflows/${childId}/executions`);
  await expect(page.getByTestId(`history-row-${childExecution}`)).toBeVisible();
  await page.getByTestId("history-top-level").check();
  await expect(page).toHaveURL(/topLevel=true/);
  await expect(page.getByTestId(`history-row-${childExecution}`)).toHaveCount(0);
  await expect(page.getByTestId("history-top-level")).toBeChecked();
});
