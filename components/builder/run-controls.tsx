"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { isActive, runBadge } from "@/lib/editor/run-store";
import { RunMode } from "@/lib/workflow/schema";
import { useEditor, useRunState, useStores } from "./editor-context";

/** Parses the inputs editor's text; an empty box means no inputs. */
export function parseInputs(text: string): { ok: true; inputs: unknown } | { ok: false; message: string } {
  if (text.trim() === "") return { ok: true, inputs: undefined };
  try {
    return { ok: true, inputs: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `Inputs are not valid JSON: ${err instanceof Error ? err.message : ""}` };
  }
}

/** The badge as one string, so the controls re-render only when what it shows changes. */
function badgeKey(s: Parameters<typeof runBadge>[0]): string {
  const b = runBadge(s);
  return b ? `${b.status}|${b.finished}|${b.total}` : "";
}

function parseBadge(key: string): { status: string; finished: number; total: number } | undefined {
  if (!key) return undefined;
  const [status = "", finished = "0", total = "0"] = key.split("|");
  return { status, finished: Number(finished), total: Number(total) };
}

/** Run button, mode, inputs editor, per-trigger runs and the controls of the run in progress. */
export function RunControls() {
  const { run, actions, editor } = useStores();
  const status = useRunState((s) => s.status);
  const mode = useRunState((s) => s.mode);
  const inputsText = useRunState((s) => s.inputsText);
  const badge = parseBadge(useRunState(badgeKey));
  const executionId = useRunState((s) => s.executionId);
  const nodes = useEditor((s) => s.definition.nodes);
  const triggers = useMemo(() => nodes.filter((n) => n.type === "trigger").map((n) => n.id), [nodes]);
  const [showInputs, setShowInputs] = useState(false);
  const active = isActive(status);
  const parsed = parseInputs(inputsText);

  const start = (triggerId?: string) => {
    if (!parsed.ok) {
      editor.getState().notify("error", parsed.message);
      setShowInputs(true);
      return;
    }
    void actions.startRunning({ mode, inputs: parsed.inputs, triggerId });
  };

  return (
    <fieldset className="bn-run" aria-label="Run">
      {badge && (
        <span className="bn-exec-status" data-testid="execution-status" data-status={badge.status}>
          <span className="bn-exec-dot" />
          {badge.status}
          {badge.status !== "starting" && badge.total > 0 && (
            <span className="bn-exec-progress" data-testid="execution-progress">
              {badge.finished}/{badge.total}
            </span>
          )}
        </span>
      )}
      {executionId && (
        <Link href={`/executions/${executionId}`} className="bn-link" data-testid="execution-link">
          Details
        </Link>
      )}
      {active && status !== "starting" && (
        <>
          {status === "paused" ? (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => void actions.control("resume")}
              aria-label="Resume run"
              data-testid="run-resume"
            >
              Resume
            </button>
          ) : (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => void actions.control("pause")}
              aria-label="Pause run"
              data-testid="run-pause"
            >
              Pause
            </button>
          )}
          <button
            type="button"
            className="btn btn-sm btn-danger"
            onClick={() => void actions.control("cancel")}
            aria-label="Cancel run"
            data-testid="run-cancel"
          >
            Cancel
          </button>
        </>
      )}
      <div className="bn-inputs-wrap">
        <button
          type="button"
          className={`btn btn-sm${parsed.ok ? "" : " btn-danger"}`}
          onClick={() => setShowInputs((v) => !v)}
          aria-expanded={showInputs}
          aria-label="Edit run inputs"
          data-testid="run-inputs-toggle"
        >
          Inputs
        </button>
        {showInputs && (
          <div className="bn-popover" role="dialog" aria-label="Run inputs">
            <label htmlFor="bn-run-inputs">
              Inputs (JSON), read as <code>inputs</code> in expressions
            </label>
            <textarea
              id="bn-run-inputs"
              className="bn-mono"
              rows={8}
              spellCheck={false}
              value={inputsText}
              onChange={(e) => run.getState().setInputsText(e.target.value)}
              data-testid="run-inputs"
            />
            {!parsed.ok && <p className="bn-field-error">{parsed.message}</p>}
          </div>
        )}
      </div>
      <select
        className="bn-select-sm"
        value={mode}
        onChange={(e) => run.getState().setMode(RunMode.parse(e.target.value))}
        aria-label="Run mode"
        data-testid="run-mode"
      >
        <option value="auto">Auto</option>
        <option value="immediate">Immediate</option>
        <option value="queued">Queued</option>
      </select>
      {triggers.length > 1 ? (
        triggers.map((t) => (
          <button
            key={t}
            type="button"
            className="btn btn-sm btn-primary"
            disabled={active}
            onClick={() => start(t)}
            aria-label={`Run from trigger ${t}`}
            data-testid={`run-trigger-${t}`}
          >
            ▶ {t}
          </button>
        ))
      ) : (
        <button
          type="button"
          className="btn btn-sm btn-primary"
          disabled={active || triggers.length === 0}
          onClick={() => start()}
          aria-label="Run workflow (Ctrl+Enter)"
          title="Run (Ctrl+Enter)"
          data-testid="run-button"
        >
          {status === "starting" ? "Starting…" : "▶ Run"}
        </button>
      )}
    </fieldset>
  );
}
