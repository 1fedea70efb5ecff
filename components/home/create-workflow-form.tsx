"use client";

import { useActionState, useState } from "react";
import { createWorkflowAction, type WorkflowFormState } from "@/app/actions/workflows";
import { Button } from "@/components/ui/button";

/** Name → a new workflow with one trigger, opened in the builder. */
export function CreateWorkflowForm() {
  const [state, formAction, pending] = useActionState<WorkflowFormState, FormData>(createWorkflowAction, {});
  const [name, setName] = useState("");
  const nameError = state.fieldErrors?.name?.[0];
  return (
    <form
      action={formAction}
      className="card card-pad stack"
      aria-labelledby="create-workflow-title"
      noValidate
    >
      <div>
        <h2 id="create-workflow-title">New workflow</h2>
        <p className="muted" style={{ margin: "4px 0 0" }}>
          Starts with a trigger; add nodes in the builder.
        </p>
      </div>
      <div className="field">
        <label htmlFor="new-workflow-name">Name</label>
        <div className="row">
          <input
            id="new-workflow-name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="input"
            placeholder="e.g. Fan-out summary"
            maxLength={200}
            required
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? "new-workflow-name-error" : undefined}
            data-testid="new-workflow-name"
          />
          <Button type="submit" variant="primary" disabled={pending} data-testid="create-workflow">
            {pending ? "Creating…" : "Create"}
          </Button>
        </div>
        {nameError ? (
          <p id="new-workflow-name-error" className="field-error" role="alert">
            {nameError}
          </p>
        ) : null}
        {!nameError && state.message ? (
          <p className="field-error" role="alert">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
