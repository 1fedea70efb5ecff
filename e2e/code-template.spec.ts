import { expect, test } from "@playwright/test";

/** The code-node template of the home page's gallery runs in the builder with no keys (issue 18). */
test("the CSV code template opens from the home page and runs in the sandbox", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("template-csv-stats-code")).toContainText("Parse a CSV with code");
  await page.getByTestId("use-template-csv-stats-code").click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByTestId("node-stats")).toBeVisible();
  await expect(page.getByTestId("workflow-valid")).toBeVisible();
  await page.getByTestId("run-button").click();
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  for (const n of ["start", "stats", "result"])
    await expect(page.getByTestId(`node-${n}`)).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-outputs")).toContainText("south");
});
