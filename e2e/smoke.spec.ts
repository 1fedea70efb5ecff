import path from "node:path";
import { expect, test } from "@playwright/test";

test("the home page renders", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Workflows", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Braid home" })).toBeVisible();
  await expect(page.getByLabel("Name")).toBeVisible();
  await expect(page.getByRole("button", { name: "Import" })).toBeVisible();
});

test("a workflow can be created through the UI and opened", async ({ page, request }) => {
  const name = `Smoke ${Date.now()}`;
  await page.goto("/");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create" }).click();
  await page.waitForURL(/\/workflows\/[^/]+$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;

  const stored = await request.get(`/api/workflows/${id}`);
  expect(stored.status()).toBe(200);
  const body = (await stored.json()) as { name: string; definition: { nodes: { type: string }[] } };
  expect(body.name).toBe(name);
  expect(body.definition.nodes.map((n) => n.type)).toEqual(["trigger"]);

  await page.goto("/");
  const row = page.getByTestId(`workflow-row-${id}`);
  await expect(row).toContainText(name);
  await page.screenshot({ path: path.join(import.meta.dirname, "screenshots", "home.png") });
  await row.getByRole("link", { name: `Open ${name}` }).click();
  await page.waitForURL(`**/workflows/${id}`);
  await expect(page.getByTestId("not-found")).toHaveCount(0);
});

test("an empty name is refused with a message", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Give the workflow a name." })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
});

test("an invalid import lists its issues with their paths", async ({ page }) => {
  await page.goto("/");
  const bad = {
    version: 1,
    name: "Bad",
    nodes: [{ id: "t", type: "trigger", config: {} }],
    edges: [{ source: "t", target: "ghost" }],
  };
  await page.getByTestId("import-workflow-json").fill(JSON.stringify(bad));
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-issues")).toContainText("edges[0].target");
  // The text stays for the user to fix.
  await expect(page.getByTestId("import-workflow-json")).toHaveValue(JSON.stringify(bad));
});

test("a workflow can be deleted after confirming", async ({ page, request }) => {
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: `Delete me ${Date.now()}`,
      nodes: [{ id: "t", type: "trigger", config: {} }],
      edges: [],
    },
  });
  const { id } = (await created.json()) as { id: string };
  await page.goto("/");
  const row = page.getByTestId(`workflow-row-${id}`);
  await row.getByRole("button", { name: /^Delete / }).click();
  await row.getByTestId("confirm-delete").click();
  await expect(row).toHaveCount(0);
  expect((await request.get(`/api/workflows/${id}`)).status()).toBe(404);
});
