import { saveWorkflowAction } from "@/app/actions/workflows";
import { iterationPathOf } from "@/components/loop/use-loop-items";
import { isActive, type RunStore } from "@/lib/editor/run-store";
import { type EditorStore, isDirty } from "@/lib/editor/store";
import type { UiStore } from "@/lib/editor/ui-store";
import type { RunMode } from "@/lib/workflow/schema";
import { followExecution } from "./follow-execution";
import { controlExecution, runSingleNode, startRun } from "./run-client";

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Options of the Run button. */
export interface RunOptions {
  mode: RunMode;
  inputs?: unknown;
  triggerId?: string;
}

/** The builder's commands that talk to the server. */
export interface BuilderActions {
  /** Saves; `message` is kept with the version the save writes. */
  save(message?: string): Promise<boolean>;
  startRunning(options: RunOptions): Promise<void>;
  /** A control of the current execution; `retry` (a loop's "Retry failed items") follows it again. */
  control(action: "cancel" | "pause" | "resume" | "retry"): Promise<void>;
  runNode(nodeId: string, input?: unknown): Promise<void>;
  dispose(): void;
}

/**
 * Save, run, control and single-node run for one builder. They read the stores when called, so
 * nothing re-renders because they exist; there is one live stream at a time.
 */
export function createBuilderActions(editor: EditorStore, run: RunStore, ui?: UiStore): BuilderActions {
  let stopFollowing: (() => void) | undefined;
  let saving: Promise<boolean> | undefined;

  const follow = (executionId: string) => {
    stopFollowing?.();
    stopFollowing = followExecution(run, executionId);
  };

  const doSave = async (message?: string): Promise<boolean> => {
    const s = editor.getState();
    const definition = s.definition;
    const result = await saveWorkflowAction(s.workflowId, definition, {
      expectedVersion: s.version,
      message,
    }).catch((err: unknown) => ({
      ok: false as const,
      code: "network",
      message: messageOf(err),
      issues: undefined,
    }));
    if (result.ok) {
      editor.getState().markSaved(result.version, definition);
      editor.getState().notify("success", "Saved");
      return true;
    }
    const issue = result.issues?.[0];
    editor
      .getState()
      .notify("error", `Not saved — ${issue ? `${issue.path}: ${issue.message}` : result.message}`);
    return false;
  };

  const save = async (message?: string) => {
    saving ??= doSave(message).finally(() => {
      saving = undefined;
    });
    return saving;
  };

  const saveIfDirty = async () => !isDirty(editor.getState()) || (await save());

  return {
    save,

    async startRunning(options) {
      if (isActive(run.getState().status)) return;
      if (!(await saveIfDirty())) return;
      const workflowId = editor.getState().workflowId;
      // The key makes a double start harmless; the id we choose lets the page follow the run's
      // live events at once, before an immediate run answers (it answers only when done).
      const idempotencyKey = `builder-${crypto.randomUUID()}`;
      const executionId = crypto.randomUUID();
      stopFollowing?.();
      run.getState().starting();
      const request = startRun(workflowId, {
        mode: options.mode,
        inputs: options.inputs,
        triggerId: options.triggerId,
        idempotencyKey,
        executionId,
      });
      follow(executionId);
      try {
        const res = await request;
        // The live stream may be ahead of this answer already: never move its status backwards.
        if (run.getState().executionId !== res.executionId)
          run.getState().started(res.executionId, res.status);
        if (res.executionId !== executionId) follow(res.executionId);
      } catch (err) {
        stopFollowing?.();
        run.getState().failedToStart(messageOf(err));
        editor.getState().notify("error", `Run refused — ${messageOf(err)}`);
      }
    },

    async control(action) {
      const id = run.getState().executionId;
      if (!id) return;
      try {
        await controlExecution(id, action);
        if (action === "resume" || action === "retry") follow(id);
      } catch (err) {
        editor.getState().notify("error", `Could not ${action} — ${messageOf(err)}`);
      }
    },

    async runNode(nodeId, input) {
      if (run.getState().singleRunning[nodeId]) return;
      if (!(await saveIfDirty())) return;
      run.getState().singleStarted(nodeId);
      try {
        // A loop body node runs for the item its loop shows (the first by default).
        const iteration = iterationPathOf(
          editor.getState().definition.nodes,
          nodeId,
          ui?.getState().pickedItems ?? {},
        );
        const result = await runSingleNode(editor.getState().workflowId, nodeId, input, iteration);
        run.getState().applySingle(result, input);
      } catch (err) {
        run.getState().singleFailed(nodeId, messageOf(err));
      }
    },

    dispose() {
      stopFollowing?.();
    },
  };
}
