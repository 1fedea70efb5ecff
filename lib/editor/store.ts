import { createStore, type StoreApi } from "zustand/vanilla";
import { type NodeType, nodeTypes } from "@/lib/nodes/registry";
import type { WorkflowDefinition } from "@/lib/workflow/schema";
import type { ValidationIssue } from "@/lib/workflow/validate";
import { DEFAULT_LOOP_SIZE, holdsBody, reparent, withDescendants } from "./bodies";
import { type Clipboard, copyNodes, pasteClipboard } from "./clipboard";
import { type ConnectionRequest, checkConnection } from "./connect";
import { edgeIdOf } from "./flow";
import { uniqueEdgeId, uniqueNodeId } from "./ids";
import { parseWorkflowJson } from "./import-export";
import { layoutDefinition, needsLayout } from "./layout";
import { type EditorDefinition, type EditorNode, fromDefinition } from "./types";

/** How many steps undo goes back. */
export const HISTORY_LIMIT = 100;

/** A message for the user (refused connection, saved, import problems…). */
export interface Notice {
  id: number;
  kind: "error" | "info" | "success";
  message: string;
}

/** A change of a node's position or size reported by the canvas. */
export type NodeGeometryChange =
  | { type: "position"; id: string; position?: { x: number; y: number }; dragging?: boolean }
  | { type: "dimensions"; id: string; dimensions?: { width: number; height: number } }
  | { type: "select"; id: string; selected: boolean };

export type EditorResult = { ok: true } | { ok: false; reason: string; issues?: ValidationIssue[] };

export interface EditorState {
  workflowId: string;
  definition: EditorDefinition;
  /** The document as last saved; `definition !== savedDefinition` means unsaved changes. */
  savedDefinition: EditorDefinition;
  version: number;
  selectedNodes: string[];
  selectedEdges: string[];
  /** Node sizes measured on screen (not part of the document or of history). */
  measured: Record<string, { width: number; height: number }>;
  past: EditorDefinition[];
  future: EditorDefinition[];
  /** Consecutive edits with the same key (typing in one field, one drag) make one undo step. */
  editKey: string | undefined;
  clipboard: Clipboard | undefined;
  notice: Notice | undefined;

  /** Adds a node at canvas `position`; with `parentId`, inside that loop's box. */
  addNode(type: NodeType, position?: { x: number; y: number }, parentId?: string): string;
  /** Moves nodes into loop `parentId`, or out of every loop (undefined), keeping them in place. */
  moveIntoLoop(ids: readonly string[], parentId: string | undefined): void;
  /**
   * Adds a node and connects `from` (a node's output handle) to it in one undo step, placed right
   * of the source unless `position` is given; a connection that cannot be made leaves it unconnected.
   */
  addNodeAfter(
    type: NodeType,
    from: { source: string; handle?: string | null },
    position?: { x: number; y: number },
  ): string;
  /** Selects every node. */
  selectAll(): void;
  connect(conn: ConnectionRequest): EditorResult;
  updateNode(id: string, patch: Partial<Omit<EditorNode, "id" | "type">>, editKey?: string): void;
  setConfigValue(id: string, key: string, value: unknown): void;
  renameNode(id: string, nextId: string): EditorResult;
  setName(name: string): void;
  updateWorkflowSettings(settings: EditorDefinition["settings"]): void;
  applyGeometry(changes: readonly NodeGeometryChange[]): void;
  /** Ends the current coalesced edit (a drag stop, a field blur). */
  endEdit(): void;
  select(nodes: string[], edges?: string[]): void;
  deleteSelection(): void;
  deleteNodes(ids: readonly string[]): void;
  deleteEdges(ids: readonly string[]): void;
  duplicateSelection(): void;
  copySelection(): void;
  paste(offset?: { x: number; y: number }): void;
  autoLayout(): void;
  importJson(text: string): EditorResult;
  undo(): void;
  redo(): void;
  markSaved(version: number, saved: EditorDefinition): void;
  notify(kind: Notice["kind"], message: string): void;
  dismissNotice(id: number): void;
}

export type EditorStore = StoreApi<EditorState>;

export interface EditorInit {
  workflowId: string;
  definition: WorkflowDefinition | EditorDefinition;
  version: number;
}

let noticeSeq = 0;

/**
 * The builder's editor state: the document, selection, clipboard and undo history. Every edit goes
 * through `commit`, which pushes the previous document onto `past` (unless it continues the same
 * coalesced edit) and clears `future`. Documents are immutable, so history holds references.
 */
export function createEditorStore(init: EditorInit): EditorStore {
  let initial = fromDefinition(init.definition as WorkflowDefinition);
  if (needsLayout(initial)) initial = layoutDefinition(initial);

  return createStore<EditorState>()((set, get) => {
    const commit = (definition: EditorDefinition, editKey?: string, extra: Partial<EditorState> = {}) => {
      const s = get();
      if (definition === s.definition) return;
      const continuing = editKey !== undefined && editKey === s.editKey;
      set({
        definition,
        past: continuing ? s.past : [...s.past, s.definition].slice(-HISTORY_LIMIT),
        future: [],
        editKey,
        ...extra,
      });
    };
    const notify = (kind: Notice["kind"], message: string) =>
      set({ notice: { id: ++noticeSeq, kind, message } });
    const mapNodes = (fn: (n: EditorNode) => EditorNode) => {
      const def = get().definition;
      let changed = false;
      const nodes = def.nodes.map((n) => {
        const next = fn(n);
        if (next !== n) changed = true;
        return next;
      });
      return changed ? { ...def, nodes } : def;
    };
    // Removing a loop removes its body too.
    const removeNodes = (def: EditorDefinition, removed: ReadonlySet<string>): EditorDefinition => {
      const ids = withDescendants(def, removed);
      return {
        ...def,
        nodes: def.nodes.filter((n) => !ids.has(n.id)),
        edges: def.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)),
      };
    };

    return {
      workflowId: init.workflowId,
      definition: initial,
      savedDefinition: initial,
      version: init.version,
      selectedNodes: [],
      selectedEdges: [],
      measured: {},
      past: [],
      future: [],
      editKey: undefined,
      clipboard: undefined,
      notice: undefined,

      addNode(type, position, parentId) {
        const def = get().definition;
        const id = uniqueNodeId(new Set(def.nodes.map((n) => n.id)), type);
        const spot = position ?? nextFreeSpot(def);
        const node: EditorNode = {
          id,
          type,
          position: spot,
          config: structuredClone(nodeTypes[type].defaults),
        };
        if (holdsBody(node)) node.size = { ...DEFAULT_LOOP_SIZE };
        let next: EditorDefinition = { ...def, nodes: [...def.nodes, node] };
        if (parentId !== undefined && def.nodes.some((n) => n.id === parentId && holdsBody(n))) {
          next = reparent(next, [id], parentId).definition;
        }
        commit(next, undefined, {
          selectedNodes: [id],
          selectedEdges: [],
        });
        return id;
      },

      addNodeAfter(type, from, position) {
        const def = get().definition;
        const source = def.nodes.find((n) => n.id === from.source);
        const id = uniqueNodeId(new Set(def.nodes.map((n) => n.id)), type);
        const spot = position ?? besideOf(def, source, from.handle);
        const node: EditorNode = {
          id,
          type,
          position: spot,
          config: structuredClone(nodeTypes[type].defaults),
        };
        let next: EditorDefinition = { ...def, nodes: [...def.nodes, node] };
        // The next node of a body node joins the same body (a given position is a canvas point).
        if (source?.parentId !== undefined) {
          if (position) next = reparent(next, [id], source.parentId).definition;
          else node.parentId = source.parentId;
        }
        const check = checkConnection(next, { source: from.source, target: id, sourceHandle: from.handle });
        if (check.ok) {
          const edge = {
            id: uniqueEdgeId(new Set(def.edges.map(edgeIdOf)), from.source, id, check.handle),
            source: from.source,
            target: id,
            ...(check.handle !== "out" ? { sourceHandle: check.handle } : {}),
          };
          next = { ...next, edges: [...next.edges, edge] };
        } else {
          notify("error", `Added ${id}, but can't connect it: ${check.reason}`);
        }
        commit(next, undefined, { selectedNodes: [id], selectedEdges: [] });
        return id;
      },

      selectAll() {
        set({ selectedNodes: get().definition.nodes.map((n) => n.id), selectedEdges: [] });
      },

      connect(conn) {
        const def = get().definition;
        const check = checkConnection(def, conn);
        if (!check.ok) {
          notify("error", `Can't connect: ${check.reason}`);
          return { ok: false, reason: check.reason };
        }
        const taken = new Set(def.edges.map(edgeIdOf));
        const edge = {
          id: uniqueEdgeId(taken, conn.source, conn.target, check.handle),
          source: conn.source,
          target: conn.target,
          ...(check.handle !== "out" ? { sourceHandle: check.handle } : {}),
        };
        commit({ ...def, edges: [...def.edges, edge] });
        return { ok: true };
      },

      updateNode(id, patch, editKey) {
        const next = mapNodes((n) => {
          if (n.id !== id) return n;
          const merged = { ...n, ...patch };
          for (const key of Object.keys(patch) as Array<keyof typeof patch>) {
            if (patch[key] === undefined) delete merged[key];
          }
          return merged;
        });
        // Leaving "branch" drops the edges of the `error` handle, which no longer exists.
        let def = next;
        if (patch.onError !== undefined || "onError" in patch) {
          const node = def.nodes.find((n) => n.id === id);
          if (node && node.onError !== "branch") {
            def = {
              ...def,
              edges: def.edges.filter((e) => !(e.source === id && e.sourceHandle === "error")),
            };
          }
        }
        commit(def, editKey);
      },

      setConfigValue(id, key, value) {
        const node = get().definition.nodes.find((n) => n.id === id);
        if (!node) return;
        const config = { ...node.config };
        if (value === undefined) delete config[key];
        else config[key] = value;
        get().updateNode(id, { config }, `config:${id}:${key}`);
      },

      renameNode(id, nextId) {
        const def = get().definition;
        if (id === nextId) return { ok: true };
        if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(nextId)) {
          return {
            ok: false,
            reason: "ids start with a letter or _ and use letters, digits and _ (64 at most)",
          };
        }
        if (def.nodes.some((n) => n.id === nextId))
          return { ok: false, reason: `"${nextId}" is already used` };
        const s = get();
        commit(
          {
            ...def,
            nodes: def.nodes.map((n) => (n.id === id ? { ...n, id: nextId } : n)),
            edges: def.edges.map((e) =>
              e.source === id || e.target === id
                ? {
                    ...e,
                    source: e.source === id ? nextId : e.source,
                    target: e.target === id ? nextId : e.target,
                  }
                : e,
            ),
          },
          undefined,
          { selectedNodes: s.selectedNodes.map((n) => (n === id ? nextId : n)) },
        );
        return { ok: true };
      },

      setName(name) {
        commit({ ...get().definition, name }, "name");
      },

      updateWorkflowSettings(settings) {
        const { settings: _old, ...rest } = get().definition;
        commit(settings ? { ...rest, settings } : rest, "settings");
      },

      applyGeometry(changes) {
        const moves = new Map<string, { x: number; y: number }>();
        let measured: EditorState["measured"] | undefined;
        let selection: Set<string> | undefined;
        for (const c of changes) {
          if (c.type === "position" && c.position) moves.set(c.id, c.position);
          else if (c.type === "dimensions" && c.dimensions) {
            measured ??= { ...get().measured };
            measured[c.id] = c.dimensions;
          } else if (c.type === "select") {
            selection ??= new Set(get().selectedNodes);
            if (c.selected) selection.add(c.id);
            else selection.delete(c.id);
          }
        }
        if (measured) set({ measured });
        if (selection) set({ selectedNodes: [...selection] });
        if (moves.size > 0) {
          const next = mapNodes((n) => {
            const p = moves.get(n.id);
            return p && (p.x !== n.position?.x || p.y !== n.position?.y) ? { ...n, position: p } : n;
          });
          commit(next, `move:${[...moves.keys()].sort().join(",")}`);
        }
      },

      moveIntoLoop(ids, parentId) {
        const { definition, droppedEdges } = reparent(get().definition, ids, parentId);
        commit(definition);
        if (droppedEdges > 0) {
          notify(
            "info",
            `Removed ${droppedEdges} connection${droppedEdges === 1 ? "" : "s"} that would cross the loop's boundary`,
          );
        }
      },

      endEdit() {
        set({ editKey: undefined });
      },

      select(nodes, edges = []) {
        set({ selectedNodes: nodes, selectedEdges: edges });
      },

      deleteSelection() {
        const s = get();
        if (s.selectedNodes.length === 0 && s.selectedEdges.length === 0) return;
        const edgeIds = new Set(s.selectedEdges);
        const def = removeNodes(s.definition, new Set(s.selectedNodes));
        commit({ ...def, edges: def.edges.filter((e) => !edgeIds.has(edgeIdOf(e))) }, undefined, {
          selectedNodes: [],
          selectedEdges: [],
        });
      },

      deleteNodes(ids) {
        const s = get();
        const gone = new Set(ids);
        commit(removeNodes(s.definition, gone), undefined, {
          selectedNodes: s.selectedNodes.filter((id) => !gone.has(id)),
        });
      },

      deleteEdges(ids) {
        const s = get();
        const gone = new Set(ids);
        commit(
          { ...s.definition, edges: s.definition.edges.filter((e) => !gone.has(edgeIdOf(e))) },
          undefined,
          {
            selectedEdges: s.selectedEdges.filter((id) => !gone.has(id)),
          },
        );
      },

      duplicateSelection() {
        const s = get();
        if (s.selectedNodes.length === 0) return;
        const { definition, ids } = pasteClipboard(s.definition, copyNodes(s.definition, s.selectedNodes));
        commit(definition, undefined, { selectedNodes: ids, selectedEdges: [] });
      },

      copySelection() {
        const s = get();
        if (s.selectedNodes.length === 0) return;
        set({ clipboard: copyNodes(s.definition, s.selectedNodes) });
        notify("info", `Copied ${s.selectedNodes.length} node${s.selectedNodes.length === 1 ? "" : "s"}`);
      },

      paste(offset) {
        const s = get();
        if (!s.clipboard || s.clipboard.nodes.length === 0) return;
        const { definition, ids } = pasteClipboard(s.definition, s.clipboard, offset);
        // The next paste lands a step further, not on top of this one.
        const shifted = copyNodes(definition, ids);
        commit(definition, undefined, { selectedNodes: ids, selectedEdges: [], clipboard: shifted });
      },

      autoLayout() {
        const s = get();
        commit(layoutDefinition(s.definition, s.measured));
      },

      importJson(text) {
        const result = parseWorkflowJson(text);
        if (!result.ok) {
          const first = result.issues[0];
          const reason = first ? first.message : "invalid workflow";
          notify("error", `Import refused — ${reason}`);
          return { ok: false, reason, issues: result.issues };
        }
        let def = fromDefinition(result.definition);
        if (needsLayout(def)) def = layoutDefinition(def);
        commit(def, undefined, { selectedNodes: [], selectedEdges: [] });
        notify("success", `Imported "${def.name}" (${def.nodes.length} nodes)`);
        return { ok: true };
      },

      undo() {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        set({
          definition: prev,
          past: s.past.slice(0, -1),
          future: [s.definition, ...s.future],
          editKey: undefined,
          ...keepSelection(prev, s),
        });
      },

      redo() {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({
          definition: next,
          past: [...s.past, s.definition],
          future: s.future.slice(1),
          editKey: undefined,
          ...keepSelection(next, s),
        });
      },

      markSaved(version, saved) {
        set({ version, savedDefinition: saved, editKey: undefined });
      },

      notify,

      dismissNotice(id) {
        if (get().notice?.id === id) set({ notice: undefined });
      },
    };
  });
}

function keepSelection(
  def: EditorDefinition,
  s: EditorState,
): Pick<EditorState, "selectedNodes" | "selectedEdges"> {
  const ids = new Set(def.nodes.map((n) => n.id));
  const edges = new Set(def.edges.map(edgeIdOf));
  return {
    selectedNodes: s.selectedNodes.filter((id) => ids.has(id)),
    selectedEdges: s.selectedEdges.filter((id) => edges.has(id)),
  };
}

/** A spot right of the rightmost node, for nodes added by clicking the palette. */
/** A spot right of `source` (lower for its later handles) that no node occupies yet. */
function besideOf(
  def: EditorDefinition,
  source: EditorNode | undefined,
  handle: string | null | undefined,
): { x: number; y: number } {
  if (!source?.position) return nextFreeSpot(def);
  const offsetY = handle === "false" || handle === "error" ? 110 : 0;
  const spot = { x: source.position.x + 300, y: source.position.y + offsetY };
  const taken = (y: number) =>
    def.nodes.some(
      (n) => n.position && Math.abs(n.position.x - spot.x) < 200 && Math.abs(n.position.y - y) < 80,
    );
  while (taken(spot.y)) spot.y += 110;
  return spot;
}

function nextFreeSpot(def: EditorDefinition): { x: number; y: number } {
  if (def.nodes.length === 0) return { x: 80, y: 120 };
  let maxX = Number.NEGATIVE_INFINITY;
  let y = 0;
  for (const n of def.nodes) {
    const p = n.position ?? { x: 0, y: 0 };
    if (p.x > maxX) {
      maxX = p.x;
      y = p.y;
    }
  }
  return { x: maxX + 280, y };
}

/** Whether the document differs from what was last saved. */
export function isDirty(s: Pick<EditorState, "definition" | "savedDefinition">): boolean {
  return s.definition !== s.savedDefinition;
}
