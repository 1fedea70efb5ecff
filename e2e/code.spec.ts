import { expect, test } from "@playwright/test";
import { createWorkflow } from "./helpers";

/** The code node (issue 14): typed in the CodeMirror editor, checked as you type, run alone. */

test("type code, see the inline syntax error, fix it, run the node alone, see its output and console lines", async ({
  page,
}) => {
  const id = await createWorkflow(page, {
    version: 1,
    name: "code e2e",
    nodes: [
      { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
      { id: "calc", type: "code", config: { source: "return input;" }, position: { x: 300, y: 0 } },
    ],
    edges: [{ source: "start", target: "calc" }],
  });
  await page.goto(`/workflows/${id}`);
  await page.getByTestId("node-calc").click();
  await page.getByTestId("tab-config").click();

  const editor = page.getByTestId("config-calc-source");
  await editor.fill("return input.a +;");
  await expect(page.getByTestId("config-calc-source-error")).toContainText(/Line 1, column \d+/);
  await expect(page.locator(".cm-lintRange-error")).toHaveCount(1);

  await editor.fill('console.log("got", input.a);\nreturn { doubled: input.a * 2 };');
  await expect(page.getByTestId("config-calc-source-error")).toHaveCount(0);

  await page.getByTestId("tab-output").click();
  await page.getByTestId("inspector-input-editor").fill('{ "a": 21 }');
  await page.getByTestId("inspector-run-node").click();
  await expect(page.getByTestId("inspector-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("inspector-output")).toContainText("42");
  await expect(page.getByTestId("inspector-log")).toContainText("got 21");
});
