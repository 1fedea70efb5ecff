"use client";

import { useActionState, useEffect, useRef } from "react";
import { type SecretFormState, saveSecretAction } from "@/app/actions/secrets";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";

/** Name and value → a stored, encrypted secret. The value is write-only: never shown again. */
export function SecretForm() {
  const [state, formAction, pending] = useActionState<SecretFormState, FormData>(saveSecretAction, {});
  const form = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useEffect(() => {
    if (!state.saved) return;
    form.current?.reset();
    toast(`Saved secret ${state.saved}`);
  }, [state, toast]);
  const error = (field: "name" | "value") => (state.field === field ? state.message : undefined);
  return (
    <form
      ref={form}
      action={formAction}
      className="card card-pad stack"
      aria-labelledby="secret-form-title"
      noValidate
    >
      <div>
        <h2 id="secret-form-title">Add or replace a secret</h2>
        <p className="muted" style={{ margin: "4px 0 0" }}>
          Use it in any node's configuration as <code>{"{{ secrets.NAME }}"}</code>. The value is stored
          encrypted, never shown again, and redacted from outputs, logs and share pages.
        </p>
      </div>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="secret-name">Name</label>
          <input
            id="secret-name"
            name="name"
            className="input mono"
            placeholder="e.g. GITHUB_TOKEN"
            maxLength={64}
            autoComplete="off"
            required
            aria-invalid={error("name") ? true : undefined}
            data-testid="secret-name"
          />
          {error("name") ? (
            <p className="field-error" role="alert">
              {error("name")}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="secret-value">Value</label>
          <input
            id="secret-value"
            name="value"
            type="password"
            className="input mono"
            autoComplete="new-password"
            required
            aria-invalid={error("value") ? true : undefined}
            data-testid="secret-value"
          />
          {error("value") ? (
            <p className="field-error" role="alert">
              {error("value")}
            </p>
          ) : null}
        </div>
      </div>
      {state.message && !state.field ? (
        <p className="field-error" role="alert" data-testid="secret-error">
          {state.message}
        </p>
      ) : null}
      <div className="row">
        <Button type="submit" variant="primary" disabled={pending} data-testid="save-secret">
          {pending ? "Saving…" : "Save secret"}
        </Button>
      </div>
    </form>
  );
}
