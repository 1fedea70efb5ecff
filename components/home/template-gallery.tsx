"use client";

import { useState, useTransition } from "react";
import { createFromTemplateAction } from "@/app/actions/templates";

/** What a gallery card shows of a template. */
export interface TemplateCard {
  id: string;
  title: string;
  description: string;
  tags: string[];
  needsKey?: string;
  nodeCount: number;
}

/** Example workflows: one click creates a copy and opens it in the builder, ready to run. */
export function TemplateGallery({ templates }: { templates: TemplateCard[] }) {
  const [pending, startTransition] = useTransition();
  const [opening, setOpening] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();

  const open = (id: string) => {
    setOpening(id);
    setError(undefined);
    startTransition(async () => {
      const failure = await createFromTemplateAction(id);
      // On success the action redirects; a returned value is a refusal.
      if (failure) setError(failure.message);
      setOpening(undefined);
    });
  };

  return (
    <section className="templates" aria-labelledby="templates-title" data-testid="template-gallery">
      <div className="templates-head">
        <h2 id="templates-title">Start from an example</h2>
        <p className="muted">Each one runs as it is, on this machine, with no keys (except the LLM one).</p>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <ul className="templates-grid">
        {templates.map((t) => (
          <li key={t.id} className="template-card" data-testid={`template-${t.id}`}>
            <div className="template-title">
              <h3>{t.title}</h3>
              {t.needsKey && (
                <span className="tag tag-warn" title={`Set ${t.needsKey} before running`}>
                  needs {t.needsKey}
                </span>
              )}
            </div>
            <p>{t.description}</p>
            <div className="template-foot">
              <span className="muted">
                {t.nodeCount} nodes · {t.tags.join(", ")}
              </span>
              <button
                type="button"
                className="btn btn-sm"
                disabled={pending}
                onClick={() => open(t.id)}
                aria-label={`Use the template ${t.title}`}
                data-testid={`use-template-${t.id}`}
              >
                {opening === t.id ? "Opening…" : "Use"}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
