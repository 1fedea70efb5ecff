"use client";

import "@xyflow/react/dist/style.css";
import "./builder.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { createRunStore } from "@/lib/editor/run-store";
import { createEditorStore } from "@/lib/editor/store";
import type { EditorDefinition } from "@/lib/editor/types";
import { createUiStore } from "@/lib/editor/ui-store";
import { createValidationStore, validationOf } from "@/lib/editor/validation-store";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import { createBuilderActions } from "./builder-actions";
import { BuilderToolbar } from "./builder-toolbar";
import { Canvas } from "./canvas";
import { CommandPalette } from "./command-palette";
import { StoresProvider, useStores, useUi } from "./editor-context";
import { LoopItemsLoader } from "./loop-items";
import { NodePicker } from "./node-picker";
import { Notice } from "./notice";
import { Palette } from "./palette";
import { ShortcutsOverlay } from "./shortcuts-overlay";
import { SidePanel } from "./side-panel";
import { useLeaveGuard } from "./use-leave-guard";
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
    const ui = createUiStore({ narrow: typeof window !== "undefined" && window.innerWidth < 900 });
    return {
      editor,
      run,
      validation: createValidationStore(editor.getState().definition),
      ui,
      actions: createBuilderActions(editor, run, ui),
    };
  });
  useEffect(() => () => stores.actions.dispose(), [stores]);

  return (
    <StoresProvider stores={stores}>
      <ReactFlowProvider>
        <BuilderLayout />
        <LoopItemsLoader />
      </ReactFlowProvider>
    </StoresProvider>
  );
}

function BuilderLayout() {
  useShortcuts();
  useLeaveGuard();
  useLiveValidation();
  const paletteCollapsed = useUi((s) => s.paletteCollapsed);
  const sideCollapsed = useUi((s) => s.sideCollapsed);
  return (
    <div className="bn-builder" data-testid="builder">
      <BuilderToolbar />
      <div
        className={`bn-body${paletteCollapsed ? " is-palette-collapsed" : ""}${sideCollapsed ? " is-side-collapsed" : ""}`}
        data-testid="builder-body"
      >
        {paletteCollapsed ? <div className="bn-rail" /> : <Palette />}
        <Canvas />
        {sideCollapsed ? <div className="bn-rail" /> : <SidePanel />}
      </div>
      <Notice />
      <NodePicker />
      <CommandPalette />
      <ShortcutsOverlay />
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
