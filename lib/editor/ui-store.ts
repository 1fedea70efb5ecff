import { createStore, type StoreApi } from "zustand/vanilla";
import type { NodeError, NodeStatus } from "@/lib/engine/ports";

/** Where the node picker adds its node: after a handle, at a canvas point, or anywhere. */
export interface PickerRequest {
  /** The output the new node is connected to. */
  from?: { source: string; handle?: string | null };
  /** Where the picker shows, in client (screen) coordinates. */
  screen: { x: number; y: number };
  /** Where the new node goes, in flow coordinates (absent: beside its source). */
  position?: { x: number; y: number };
}

/** A body node's state in one loop item, as `GET /api/executions/:id/iterations/:path` gives it. */
export interface StoredItemView {
  status: NodeStatus;
  input?: unknown;
  output?: unknown;
  error?: NodeError | null;
  durationMs?: number | null;
  attempts?: number;
}

/** The builder's transient chrome: overlays and collapsed panels (not part of the document). */
export interface UiState {
  picker: PickerRequest | undefined;
  commandsOpen: boolean;
  shortcutsOpen: boolean;
  paletteCollapsed: boolean;
  sideCollapsed: boolean;
  /** The item each loop's body shows (loop id → index; default 0). */
  pickedItems: Record<string, number>;
  pickItem(loopId: string, index: number): void;
  /** Body nodes' stored state per item (`<executionId>/<iteration key>` → node id → view), as read from the API. */
  itemViews: Record<string, Record<string, StoredItemView>>;
  setItemViews(key: string, views: Record<string, StoredItemView>): void;
  openPicker(request: PickerRequest): void;
  closePicker(): void;
  setCommandsOpen(open: boolean): void;
  setShortcutsOpen(open: boolean): void;
  togglePalette(): void;
  toggleSide(): void;
  /** Closes the topmost overlay; false when none was open. */
  closeOverlay(): boolean;
}

export type UiStore = StoreApi<UiState>;

/** Creates the builder's UI store; panels start collapsed when the window is narrow. */
export function createUiStore(options: { narrow?: boolean } = {}): UiStore {
  return createStore<UiState>()((set, get) => ({
    picker: undefined,
    commandsOpen: false,
    shortcutsOpen: false,
    paletteCollapsed: false,
    sideCollapsed: options.narrow ?? false,
    pickedItems: {},
    itemViews: {},
    setItemViews(key, views) {
      set({ itemViews: { ...get().itemViews, [key]: views } });
    },
    pickItem(loopId, index) {
      set({ pickedItems: { ...get().pickedItems, [loopId]: Math.max(0, Math.floor(index)) } });
    },
    openPicker(picker) {
      set({ picker, commandsOpen: false, shortcutsOpen: false });
    },
    closePicker() {
      set({ picker: undefined });
    },
    setCommandsOpen(commandsOpen) {
      set({ commandsOpen, ...(commandsOpen ? { picker: undefined, shortcutsOpen: false } : {}) });
    },
    setShortcutsOpen(shortcutsOpen) {
      set({ shortcutsOpen, ...(shortcutsOpen ? { picker: undefined, commandsOpen: false } : {}) });
    },
    togglePalette() {
      set({ paletteCollapsed: !get().paletteCollapsed });
    },
    toggleSide() {
      set({ sideCollapsed: !get().sideCollapsed });
    },
    closeOverlay() {
      const s = get();
      if (s.picker) set({ picker: undefined });
      else if (s.commandsOpen) set({ commandsOpen: false });
      else if (s.shortcutsOpen) set({ shortcutsOpen: false });
      else return false;
      return true;
    },
  }));
}
