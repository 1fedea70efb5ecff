import { expect, test } from "@playwright/test";
import { formatUsd } from "@/components/execution/cost";
import { type OpenAiServer, startOpenAiServer } from "@/lib/testing/openai-server";
import { E2E_OPENAI_KEY, E2E_OPENAI_PORT } from "./e2e-env";

/**
 * LLM spend in the UI: a workflow with two LLM nodes asking the same thing, run against the local
 * OpenAI-compatible server the app is configured with (playwright.config.ts). The first call reaches
 * the provider and costs; the second is answered from the cache, costs $0 and shows what it saved.
 */
let llm: OpenAiServer;
test.beforeAll(async () => {
  llm = await startOpenAiServer({ port: E2E_OPENAI_PORT, apiKey: E2E_OPENAI_KEY });
});
test.afterAll(async () => {
  await llm?.close();
});

type Usage = { promptTokens: number; completionTokens: number };
type NodeOutput = { usage: Usage; costUsd: number; savedUsd?: number };

test("tokens, cost and savings on the nodes, the execution page and the history chart", async ({
  page,
  request,
}) => {
  const prompt = `Write one line about braided rivers, run ${Date.now()}`;
  const created = await request.post("/api/workflows", {
    data: {
      version: 1,
      name: `LLM cost ${Date.now()}`,
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "first", type: "llm", name: "First", config: { model: "gpt-4o", prompt } },
        { id: "second", type: "llm", name: "Second", config: { model: "gpt-4o", prompt } },
        { id: "result", type: "output", config: {} },
      ],
      edges: [
        { source: "start", target: "first" },
        { source: "first", target: "second" },
        { source: "second", target: "result" },
      ],
    },
  });
  expect(created.status()).toBe(201);
  const { id: workflowId } = (await created.json()) as { id: string };
  const run = await request.post(`/api/workflows/${workflowId}/run`, { data: { mode: "immediate" } });
  const answer = (await run.json()) as {
    executionId: string;
    status: string;
    nodes: Record<string, { output: NodeOutput }>;
  };
  expect(answer.status).toBe("succeeded");
  expect(llm.calls).toBe(1);
  const first = answer.nodes.first!.output;
  const second = answer.nodes.second!.output;
  expect(first.costUsd).toBeGreaterThan(0);
  expect(second).toMatchObject({ costUsd: 0, savedUsd: first.costUsd });

  // The execution page: a cost on the first node, "saved" on the cached one, totals in the header.
  await page.goto(`/executions/${answer.executionId}`);
  await expect(page.getByTestId("execution-status")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("node-cost-first")).toHaveText(formatUsd(first.costUsd));
  await expect(page.getByTestId("node-cost-second")).toHaveText(`saved ${formatUsd(first.costUsd)}`);
  const totals = page.getByTestId("execution-cost");
  await expect(totals).toContainText(`${first.usage.promptTokens} in · ${first.usage.completionTokens} out`);
  await expect(totals).toContainText(formatUsd(first.costUsd));
  await expect(totals).toContainText(`saved ${formatUsd(first.costUsd)}`);

  // The inspector: tokens and cost of each node.
  await page.getByTestId("node-first").click();
  await expect(page.getByTestId("node-details")).toHaveAttribute("data-node-id", "first");
  await expect(page.getByTestId("node-details-tokens")).toHaveText(
    `${first.usage.promptTokens} in · ${first.usage.completionTokens} out`,
  );
  await expect(page.getByTestId("node-details-cost")).toHaveText(formatUsd(first.costUsd));
  await page.getByTestId("node-second").click();
  await expect(page.getByTestId("node-details")).toHaveAttribute("data-node-id", "second");
  await expect(page.getByTestId("node-details-cost")).toHaveText(`$0 · saved ${formatUsd(first.costUsd)}`);

  // The history page: the run's cost in the table and today's bar in the daily chart.
  await page.goto(`/workflows/${workflowId}/executions`);
  await expect(page.getByTestId(`history-row-${answer.executionId}`)).toHaveAttribute(
    "data-status",
    "succeeded",
  );
  const chart = page.getByTestId("daily-usage-chart");
  await expect(chart).toBeVisible();
  const tokens = first.usage.promptTokens + first.usage.completionTokens;
  await expect(page.getByTestId("daily-usage-totals")).toContainText(`1 runs · ${tokens} tokens`);
  await expect(page.getByTestId("daily-usage-totals")).toContainText(`saved ${formatUsd(first.costUsd)}`);
  const today = new Date().toISOString().slice(0, 10);
  await expect(chart.locator(`g[data-day="${today}"]`)).toHaveAttribute("data-runs", "1");
});
