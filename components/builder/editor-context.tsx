"use client";

import { createContext, type ReactNode, useContext } from "react";
import { useStore } from "zustand";
import type { RunState, RunStore } from "@/lib/editor/run-store";
import type { EditorState, EditorStore } from "@/lib/editor/store";
import type { UiState, UiStore } from "@/lib/editor/ui-store";
import type { ValidationState, ValidationStore } from "@/lib/editor/validation-store";
import type { BuilderActions } from "./builder-actions";

interface Stores {
  editor: EditorStore;
  run: RunStore;
  validation: ValidationStore;
  ui: UiStore;
  actions: BuilderActions;
}

const StoresContext = createContext<Stores | null>(null);

/** Provides the builder's editor and run stores to everything under it. */
export function StoresProvider({ stores, children }: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={stores}>{children}</StoresContext.Provider>;
}

/** Both stores, for event handlers that read state without subscribing. */
export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (!stores) throw new Error("useStores must be used inside <StoresProvider>");
  return stores;
}

/** Subscribes to a slice of the editor state. */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useStores().editor, selector);
}

/** Subscribes to a slice of the run state. */
export function useRunState<T>(selector: (s: RunState) => T): T {
  return useStore(useStores().run, selector);
}

/** Subscribes to a slice of the current validation issues. */
export function useValidation<T>(selector: (s: ValidationState) => T): T {
  return useStore(useStores().validation, selector);
}

/** Subscribes to a slice of the builder's UI state (overlays, collapsed panels). */
export function useUi<T>(selector: (s: UiState) => T): T {
  return useStore(useStores().ui, selector);
}
