"use client";

import { useActionState, useEffect, useRef } from "react";
import { type PriceFormState, savePriceAction } from "@/app/settings/prices/actions";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

type Field = NonNullable<PriceFormState["field"]>;

/** Model and USD per million tokens (input, output) → a stored price over LLM_PRICES and the defaults. */
export function PriceForm() {
  const [state, formAction, pending] = useActionState<PriceFormState, FormData>(savePriceAction, {});
  const form = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useEffect(() => {
    if (!state.saved) return;
    form.current?.reset();
    toast(`Saved the price of ${state.saved}`);
  }, [state, toast]);
  const error = (field: Field) => (state.field === field ? state.message : undefined);
  const input = (field: Field, label: string, props: React.InputHTMLAttributes<HTMLInputElement>) => (
    <div className="field">
      <label htmlFor={`price-${field}`}>{label}</label>
      <input
        id={`price-${field}`}
        name={field}
        className="input mono"
        autoComplete="off"
        required
        aria-invalid={error(field) ? true : undefined}
        data-testid={`price-${field}`}
        {...props}
      />
      {error(field) ? (
        <p className="field-error" role="alert" data-testid={`price-${field}-error`}>
          {error(field)}
        </p>
      ) : null}
    </div>
  );
  return (
    <form
      ref={form}
      action={formAction}
      className="card card-pad stack"
      aria-labelledby="price-form-title"
      noValidate
    >
      <div>
        <h2 id="price-form-title">Set a model's price</h2>
        <p className="muted" style={{ margin: "4px 0 0" }}>
          USD per million tokens. A price stored here wins over <code>LLM_PRICES</code> and the shipped
          defaults.
        </p>
      </div>
      <div className="grid-2">
        {input("model", "Model", { placeholder: "e.g. gpt-4o-mini", maxLength: 200 })}
        <div className="grid-2">
          {input("input", "Input (USD / 1M tokens)", { inputMode: "decimal", placeholder: "0.15" })}
          {input("output", "Output (USD / 1M tokens)", { inputMode: "decimal", placeholder: "0.60" })}
        </div>
      </div>
      {state.message && !state.field ? (
        <p className="field-error" role="alert" data-testid="price-error">
          {state.message}
        </p>
      ) : null}
      <div className="row">
        <Button type="submit" variant="primary" disabled={pending} data-testid="save-price">
          {pending ? "Saving…" : "Save price"}
        </Button>
      </div>
    </form>
  );
}
