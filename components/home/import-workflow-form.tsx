"use client";

import { type ChangeEvent, useActionState, useState } from "react";
import { importWorkflowAction, type WorkflowFormState } from "@/app/actions/workflows";
import { Button } from "@/components/ui/button";
import { IssueList } from "@/components/ui/issue-list";

/** Paste a workflow's JSON or load it from a file; refused imports list each issue with its path. */
export function ImportWorkflowForm() {
  const [state, formAction, pending] = useActionState<WorkflowFormState, FormData>(importWorkflowAction, {});
  // Controlled, so React does not reset it after a refused import and the user keeps their text.
  const [text, setText] = useState("");
  const jsonError = state.fieldErrors?.json?.[0];

  async function loadFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (file) setText(await file.text());
  }

  return (
    <form
      action={formAction}
      className="card card-pad stack"
      aria-labelledby="import-workflow-title"
      noValidate
    >
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id="import-workflow-title">Import JSON</h2>
        <label className="btn btn-sm" htmlFor="import-workflow-file">
          Choose file…
        </label>
        <input
          id="import-workflow-file"
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          onChange={loadFile}
          data-testid="import-workflow-file"
        />
      </div>
      <div className="field">
        <label htmlFor="import-workflow-json" className="visually-hidden">
          Workflow JSON
        </label>
        <textarea
          id="import-workflow-json"
          value={text}
          onChange={(e) => setText(e.target.value)}
          name="json"
          className="textarea"
          style={{ minHeight: 86 }}
          placeholder='{ "version": 1, "name": "…", "nodes": [ … ], "edges": [ … ] }'
          spellCheck={false}
          aria-invalid={jsonError || state.issues?.length ? true : undefined}
          data-testid="import-workflow-json"
        />
      </div>
      {state.issues && state.issues.length > 0 ? (
        <IssueList issues={state.issues} testId="import-issues" />
      ) : jsonError ? (
        <p className="field-error" role="alert" data-testid="import-error">
          {jsonError}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending} data-testid="import-workflow">
          {pending ? "Importing…" : "Import"}
        </Button>
      </div>
    </form>
  );
}
