import { saveWorkflowAction } from "@/app/actions/workflows";
import { isActive, type RunStore } from "@/lib/editor/run-store";
import { type EditorStore, isDirty } from "@/lib/editor/store";
import type { RunMode } from "@/lib/workflow/schema";
import { followExecution } from "./follow-execution";
import { controlExecution, listExecutionIds, runSingleNode, startRun } from "./run-client";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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
  control(action: "cancel" | "pause" | "resume"): Promise<void>;
  runNode(nodeId: string, input?: unknown): Promise<void>;
  dispose(): void;
}

/**
 * Save, run, control and single-node run for one builder. They read the stores when called, so
 * nothing re-renders because they exist; there is one live stream at a time.
 */
export function createBuilderActions(editor: EditorStore, run: RunStore): BuilderActions {
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
      // The key makes a double start harmless and lets the page find an immediate run before it answers.
      const idempotencyKey = `builder-${crypto.randomUUID()}`;
      stopFollowing?.();
      run.getState().starting();
      let answered = false;
      let followed: string | undefined;
      // An immediate run answers only when it is done: find it meanwhile so its nodes light up live.
      const request = startRun(workflowId, {
        mode: options.mode,
        inputs: options.inputs,
        triggerId: options.triggerId,
        idempotencyKey,
      });
      void (async () => {
        while (!answered && !followed) {
          await sleep(250);
          if (answered) break;
          const [id] = await listExecutionIds(workflowId, idempotencyKey).catch(() => [] as string[]);
          if (id && !answered && !followed) {
            followed = id;
            follow(id);
          }
        }
      })();
      try {
        const res = await request;
        answered = true;
        if (followed !== res.executionId) {
          run.getState().started(res.executionId, res.status);
          follow(res.executionId);
        }
      } catch (err) {
        answered = true;
        if (!followed) run.getState().failedToStart(messageOf(err));
        editor.getState().notify("error", `Run refused — ${messageOf(err)}`);
      }
    },

    async control(action) {
      const id = run.getState().executionId;
      if (!id) return;
      try {
        await controlExecution(id, action);
        if (action === "resume") follow(id);
      } catch (err) {
        editor.getState().notify("error", `Could not ${action} — ${messageOf(err)}`);
      }
    },

    async runNode(nodeId, input) {
      if (run.getState().singleRunning[nodeId]) return;
      if (!(await saveIfDirty())) return;
      run.getState().singleStarted(nodeId);
      try {
        const result = await runSingleNode(editor.getState().workflowId, nodeId, input);
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
