import type { Metadata } from "next";
import { DeletePriceButton } from "@/components/settings/delete-price-button";
import { PriceForm } from "@/components/settings/price-form";
import { formatDateTime } from "@/components/ui/format";
import { getDatabase } from "@/lib/db/client";
import { DEFAULT_PRICES_TAKEN_ON } from "@/lib/llm/prices";
import { listPrices, PRICES_TTL_MS } from "@/lib/llm/prices-store";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "LLM prices" };

const SOURCE = { default: "shipped default", env: "LLM_PRICES", stored: "stored here" } as const;

/** The LLM price table in force (defaults < LLM_PRICES < stored here), and a form to change it. */
export default async function PricesPage() {
  const prices = await listPrices((await getDatabase()).db);
  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>LLM prices</h1>
          <p>
            What each model costs, used for the cost of LLM nodes and executions and for budgets. The shipped
            defaults are OpenAI's prices as of {DEFAULT_PRICES_TAKEN_ON}; prices change, so check them. A
            model without a price records its tokens with no cost.
          </p>
        </div>
      </div>
      <div className="stack">
        <PriceForm />
        <section className="card" aria-label="Prices">
          <table className="table" data-testid="prices-table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Input / 1M tokens</th>
                <th scope="col">Output / 1M tokens</th>
                <th scope="col">Source</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {prices.map((p) => (
                <tr key={p.model} data-testid={`price-row-${p.model}`} data-source={p.source}>
                  <td className="mono">{p.model}</td>
                  <td className="mono">${p.input}</td>
                  <td className="mono">${p.output}</td>
                  <td className="muted">
                    {SOURCE[p.source]}
                    {p.overrides
                      ? ` (over ${SOURCE[p.overrides.source]}: $${p.overrides.input} / $${p.overrides.output})`
                      : ""}
                    {p.updatedAt ? `, ${formatDateTime(p.updatedAt)}` : ""}
                  </td>
                  <td>
                    <div className="table-actions">
                      {p.source === "stored" ? <DeletePriceButton model={p.model} /> : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <p className="muted">
          Changes apply to new LLM calls at once in this process, and within {PRICES_TTL_MS / 1000} s in other
          processes. Costs already recorded are not recalculated.
        </p>
      </div>
    </main>
  );
}
