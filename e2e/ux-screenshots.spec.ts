import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";

/**
 * Screenshots of every page in light and dark, at 1024 and 1440 px wide, written to
 * test-results/screenshots/ to be looked at (issue 18). Each page is also checked for a dark
 * background in dark mode, so a page that ignores the theme fails here.
 */

const OUT = path.join("test-results", "screenshots");
const WIDTHS = [1024, 1440] as const;
const SCHEMES = ["light", "dark"] as const;

interface Pages {
  builder: string;
  history: string;
  execution: string;
  share: string;
}

let pages: Pages;

test.beforeAll(async ({ request }) => {
  mkdirSync(OUT, { recursive: true });
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: "Screenshot tour",
      nodes: [
        { id: "start", type: "trigger", name: "Start", config: {}, position: { x: 0, y: 120 } },
        {
          id: "check",
          type: "condition",
          name: "Big order?",
          config: { expression: "inputs.total > 100" },
          position: { x: 300, y: 120 },
        },
        {
          id: "review",
          type: "transform",
          name: "Review",
          config: { expression: '{ "route": "review" }' },
          position: { x: 600, y: 0 },
        },
        {
          id: "approve",
          type: "transform",
          name: "Approve",
          config: { expression: '{ "route": "approve" }' },
          position: { x: 600, y: 240 },
        },
        { id: "wait", type: "delay", name: "Wait", config: { ms: 200 }, position: { x: 900, y: 0 } },
        { id: "done", type: "output", name: "Done", config: {}, position: { x: 1200, y: 0 } },
      ],
      edges: [
        { source: "start", target: "check" },
        { source: "check", sourceHandle: "true", target: "review" },
        { source: "check", sourceHandle: "false", target: "approve" },
        { source: "review", target: "wait" },
        { source: "wait", target: "done" },
      ],
    },
  });
  const { id } = (await created.json()) as { id: string };
  const run = await request.post(`/api/workflows/${id}/run`, {
    data: { inputs: { total: 250 }, mode: "immediate" },
  });
  const { executionId } = (await run.json()) as { executionId: string };
  const share = await request.post(`/api/executions/${executionId}/share`);
  const { url } = (await share.json()) as { url: string };
  pages = {
    builder: `/workflows/${id}`,
    history: `/workflows/${id}/executions`,
    execution: `/executions/${executionId}`,
    share: new URL(url, "http://x").pathname,
  };
});

async function shoot(page: Page, name: string, width: number, scheme: (typeof SCHEMES)[number]) {
  // Fonts loaded and two frames painted (fit-to-view applied), without a fixed sleep.
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  if (scheme === "dark") expect(bg, `${name} ignores dark mode`).toBe("rgb(11, 15, 23)");
  else expect(bg).toBe("rgb(247, 248, 250)");
  await page.screenshot({ path: path.join(OUT, `${name}-${width}-${scheme}.png`) });
}

for (const width of WIDTHS) {
  for (const scheme of SCHEMES) {
    test(`every page at ${width} px, ${scheme}`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });

      await page.goto("/");
      await expect(page.getByTestId("template-gallery")).toBeVisible();
      await shoot(page, "home", width, scheme);
      await page.getByTestId("template-gallery").scrollIntoViewIfNeeded();
      await shoot(page, "home-templates", width, scheme);

      await page.goto(pages.builder);
      await expect(page.getByTestId("node-done")).toBeVisible();
      await shoot(page, "builder", width, scheme);
      await page.getByTestId("node-check").click();
      await expect(page.getByTestId("node-play-check")).toBeVisible();
      await shoot(page, "builder-node", width, scheme);
      await page.getByTestId("run-button").click();
      await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
      await page.getByTestId("tab-output").click();
      await shoot(page, "builder-after-run", width, scheme);
      await page.keyboard.press("Control+k");
      await expect(page.getByTestId("command-palette")).toBeVisible();
      await shoot(page, "builder-commands", width, scheme);
      await page.keyboard.press("Escape");
      await page.getByTestId("node-approve").hover();
      await page.getByTestId("add-after-approve-out").click();
      await expect(page.getByTestId("node-picker")).toBeVisible();
      await shoot(page, "builder-picker", width, scheme);
      await page.keyboard.press("Escape");
      await page.getByTestId("open-shortcuts").click();
      await shoot(page, "builder-shortcuts", width, scheme);
      await page.keyboard.press("Escape");

      await page.goto(pages.history);
      await shoot(page, "history", width, scheme);
      await page.goto(pages.execution);
      await expect(page.getByTestId("execution-view")).toBeVisible();
      await shoot(page, "execution", width, scheme);
      await page.goto(pages.share);
      await expect(page.getByTestId("readonly-banner")).toBeVisible();
      await shoot(page, "share", width, scheme);
      await page.goto("/secrets");
      await shoot(page, "secrets", width, scheme);
      await page.goto("/no-such-page");
      await shoot(page, "not-found", width, scheme);
    });
  }
}
