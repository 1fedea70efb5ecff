import path from "node:path";
import { expect, test } from "@playwright/test";

const VALUE = "e2e-stored-token-3b8c1d";

test("secrets: add one in the UI, use it in a run (redacted), and delete it", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Secrets" }).click();
  await expect(page).toHaveURL(/\/secrets$/);

  // The environment's secret is listed by name, with no way to delete it here.
  const fromEnv = page.getByTestId("secret-row-E2E_SHARED");
  await expect(fromEnv).toHaveAttribute("data-source", "env");
  await expect(fromEnv.getByRole("button", { name: /Delete/ })).toHaveCount(0);

  // A bad name is refused next to its field.
  await page.getByTestId("secret-name").fill("bad-name");
  await page.getByTestId("secret-value").fill("whatever-1234");
  await page.getByTestId("save-secret").click();
  await expect(page.getByRole("alert").filter({ hasText: "name:" })).toBeVisible();

  await page.getByTestId("secret-name").fill("E2E_TOKEN");
  await page.getByTestId("secret-value").fill(VALUE);
  await page.getByTestId("save-secret").click();
  await expect(page.getByTestId("secret-row-E2E_TOKEN")).toHaveAttribute("data-source", "stored");
  await expect(page.getByTestId("secret-value")).toHaveValue("");
  await page.reload();
  expect(await page.content()).not.toContain(VALUE);
  await page.screenshot({
    path: path.join(import.meta.dirname, "screenshots", "secrets.png"),
    fullPage: true,
  });

  // A run uses the value; what it stores and answers has it redacted.
  const created = await page.request.post("/api/workflows", {
    data: {
      version: 1,
      name: "Uses E2E_TOKEN",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "size", type: "transform", config: { expression: "$length(secrets.E2E_TOKEN)" } },
        { id: "echo", type: "transform", config: { expression: '"token=" & secrets.E2E_TOKEN' } },
        { id: "out", type: "output", config: { value: "{ 'size': nodes.size, 'echo': nodes.echo }" } },
      ],
      edges: [
        { source: "start", target: "size" },
        { source: "start", target: "echo" },
        { source: "size", target: "out" },
        { source: "echo", target: "out" },
      ],
    },
  });
  const { id } = (await created.json()) as { id: string };
  const run = await page.request.post(`/api/workflows/${id}/run`, { data: { mode: "immediate" } });
  expect(await run.json()).toMatchObject({
    status: "succeeded",
    outputs: { out: { size: VALUE.length, echo: "token=[REDACTED]" } },
  });

  await page.getByRole("button", { name: "Delete secret E2E_TOKEN" }).click();
  await page.getByTestId("confirm-delete-secret-E2E_TOKEN").click();
  await expect(page.getByTestId("secret-row-E2E_TOKEN")).toHaveCount(0);
  await expect(page.getByTestId("secret-row-E2E_SHARED")).toBeVisible();
});
