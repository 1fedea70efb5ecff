"use client";

import "@xyflow/react/dist/style.css";
import "./builder.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { createRunStore } from "@/lib/editor/run-store";
import { createEditorStore } from "@/lib/editor/store";
import type { EditorDefinition } from "@/lib/editor/types";
import { createValidationStore, validationOf } from "@/lib/editor/validation-store";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createBuilderActions } from "./builder-actions";
import { BuilderToolbar } from "./builder-toolbar";
import { Canvas } from "./canvas";
import { StoresProvider, useStores } from "./editor-context";
import { Notice } from "./notice";
import { Palette } from "./palette";
import { SidePanel } from "./side-panel";
import { useShortcuts } from "./use-shortcuts";

export interface BuilderProps {
  workflowId: string;
  definition: WorkflowDefinition;
  version: number;
}

/** The visual builder of one workflow (SPEC §5 `/workflows/:id`). */
export function Builder({ workflowId, definition, version }: BuilderProps) {
  const [stores] = useState(() => {
    const editor = createEditorStore({ workflowId, definition, version });
    const run = createRunStore({ mode: definition.settings?.mode });
    return {
      editor,
      run,
      validation: createValidationStore(editor.getState().definition),
      actions: createBuilderActions(editor, run),
    };
  });
  useEffect(() => () => stores.actions.dispose(), [stores]);

  return (
    <StoresProvider stores={stores}>
      <ReactFlowProvider>
        <BuilderLayout />
      </ReactFlowProvider>
    </StoresProvider>
  );
}

function BuilderLayout() {
  useShortcuts();
  useLiveValidation();
  return (
    <div className="bn-builder" data-testid="builder">
      <BuilderToolbar />
      <div className="bn-body">
        <Palette />
        <Canvas />
        <SidePanel />
      </div>
      <Notice />
    </div>
  );
}

/** Revalidates the document shortly after it stops changing (typing stays smooth on big graphs). */
function useLiveValidation() {
  const { editor, validation } = useStores();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: EditorDefinition = editor.getState().definition;
    const unsubscribe = editor.subscribe((s) => {
      if (s.definition === last) return;
      last = s.definition;
      clearTimeout(timer);
      timer = setTimeout(() => validation.setState(validationOf(last)), 120);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [editor, validation]);
}
