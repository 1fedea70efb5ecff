import { expect, type Page, test } from "@playwright/test";

/** The node palette's search box (issue 18): filter as you type, Enter adds, Escape clears. */

async function openBuilder(page: Page): Promise<void> {
  const res = await page.request.post("/api/workflows", {
    data: {
      version: 1,
      name: "Palette search",
      nodes: [
        { id: "start", type: "trigger", config: {}, position: { x: 0, y: 0 } },
        { id: "result", type: "output", config: {}, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: "start", target: "result" }],
    },
  });
  expect(res.status()).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await page.goto(`/workflows/${id}`);
  await expect(page.getByTestId("builder")).toBeVisible();
}

test("the palette search filters node types by label and description as you type", async ({ page }) => {
  await openBuilder(page);
  const search = page.getByTestId("palette-search");
  const items = page.locator('[data-testid^="palette-"].bn-palette-item');
  const all = await items.count();
  expect(all).toBeGreaterThan(5);

  // By label.
  await search.fill("http");
  await expect(page.getByTestId("palette-http")).toBeVisible();
  await expect(items).toHaveCount(1);

  // By description: only the code node's mentions JavaScript.
  await search.fill("javascript");
  await expect(page.getByTestId("palette-code")).toBeVisible();
  await expect(items).toHaveCount(1);

  // Every word must match; label matches come first.
  await search.fill("smtp");
  await expect(items).toHaveCount(1);
  await expect(page.getByTestId("palette-email")).toBeVisible();

  await search.fill("no such node");
  await expect(items).toHaveCount(0);
  await expect(page.getByTestId("palette-empty")).toContainText("no such node");

  // Escape clears the box and brings every type back; the hint stays in view.
  await search.press("Escape");
  await expect(search).toHaveValue("");
  await expect(items).toHaveCount(all);
  await expect(page.getByTestId("palette-hint")).toBeInViewport();

  // Typing "?" in the box is text, not the shortcuts overlay.
  await search.fill("?");
  await expect(page.getByRole("dialog")).toHaveCount(0);
});

test("Enter in the palette search adds the first match to the canvas", async ({ page }) => {
  await openBuilder(page);
  const search = page.getByTestId("palette-search");
  await expect(page.locator(".bn-node")).toHaveCount(2);

  // "wait" is the wait node's label and the delay node's description: the label ranks first.
  await search.fill("wait");
  await expect(page.locator('[data-testid^="palette-"].bn-palette-item').first()).toHaveAttribute(
    "data-testid",
    "palette-wait",
  );
  await search.press("Enter");
  await expect(page.locator('.bn-node[data-type="wait"]')).toHaveCount(1);
  await expect(page.locator(".bn-node")).toHaveCount(3);
  await expect(search).toHaveValue("");

  // Enter with no match adds nothing.
  await search.fill("zzz");
  await search.press("Enter");
  await expect(page.locator(".bn-node")).toHaveCount(3);
});
