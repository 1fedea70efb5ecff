import { expect, type Locator, type Page } from "@playwright/test";

/** Shared steps of the e2e specs: creating a workflow, reading it back, and driving the canvas. */

/** Creates a workflow through the API and returns its id. */
export async function createWorkflow(page: Page, definition: unknown): Promise<string> {
  const res = await page.request.post("/api/workflows", { data: definition });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The stored definition of a workflow. */
export async function storedDefinition(page: Page, id: string) {
  const res = await page.request.get(`/api/workflows/${id}`);
  expect(res.ok()).toBe(true);
  return (
    (await res.json()) as {
      definition: Record<string, unknown> & {
        nodes: Array<Record<string, unknown> & { id: string; type: string; parentId?: string }>;
        edges: Array<{ source: string; target: string; sourceHandle?: string }>;
      };
    }
  ).definition;
}

/** Drags from one handle to another with the mouse, as a user connects nodes. */
export async function drag(page: Page, from: Locator, to: Locator) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 6 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
  await page.mouse.up();
}

/** Waits until the canvas viewport and nodes stop moving (a fit after a layout or an added node). */
export async function settle(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { __stable?: { last: string; count: number } }).__stable = { last: "", count: 0 };
  });
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __stable: { last: string; count: number } };
      const now = [".react-flow__viewport", ".react-flow__node"]
        .flatMap((sel) => [...document.querySelectorAll(sel)].map((el) => el.getAttribute("style") ?? ""))
        .join("|");
      w.__stable.count = now === w.__stable.last ? w.__stable.count + 1 : 0;
      w.__stable.last = now;
      return w.__stable.count >= 2;
    },
    null,
    { polling: 100 },
  );
}
