/** One entry of the command palette (Ctrl/Cmd+K). */
export interface Command {
  /** Stable id: `action:<name>`, `add:<node type>` or `goto:<node id>`. */
  id: string;
  group: "Actions" | "Add node" | "Go to node";
  label: string;
  /** Extra words the search matches (node id, type, description). */
  keywords?: string;
  /** A shortcut shown beside the label. */
  shortcut?: string;
}

const normalize = (s: string) => s.toLowerCase().normalize("NFKD");

function scoreOf(command: Command, tokens: readonly string[]): number {
  const label = normalize(command.label);
  const haystack = `${label} ${normalize(command.keywords ?? "")} ${normalize(command.group)}`;
  let score = 0;
  for (const token of tokens) {
    const at = haystack.indexOf(token);
    if (at < 0) return -1;
    // Matches in the label count more, and more still at the start of a word.
    const inLabel = label.indexOf(token);
    if (inLabel === 0) score += 4;
    else if (inLabel > 0) score += label[inLabel - 1] === " " ? 3 : 2;
    else score += 1;
  }
  return score;
}

/**
 * The commands matching `query`: every whitespace-separated word must occur in the label, the
 * keywords or the group; better matches (in the label, at a word start) come first, ties keep
 * their order. An empty query returns every command.
 */
export function matchCommands(commands: readonly Command[], query: string): Command[] {
  const tokens = normalize(query).split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return [...commands];
  return commands
    .map((command, index) => ({ command, index, score: scoreOf(command, tokens) }))
    .filter((m) => m.score >= 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((m) => m.command);
}

/** The builder's keyboard shortcuts, as the "?" overlay lists them. */
export const SHORTCUTS: ReadonlyArray<{ keys: string; action: string }> = [
  { keys: "Ctrl/⌘ K", action: "Command palette: add a node, jump to a node, run, save, history" },
  { keys: "Ctrl/⌘ S", action: "Save" },
  { keys: "Ctrl/⌘ Enter", action: "Run the workflow" },
  { keys: "Ctrl/⌘ Z", action: "Undo" },
  { keys: "Ctrl/⌘ Y, Ctrl/⌘ Shift Z", action: "Redo" },
  { keys: "Ctrl/⌘ A", action: "Select all nodes" },
  { keys: "Ctrl/⌘ C, Ctrl/⌘ V", action: "Copy, paste the selected nodes" },
  { keys: "Ctrl/⌘ D", action: "Duplicate the selection" },
  { keys: "Delete, Backspace", action: "Delete the selection" },
  { keys: "Shift/Ctrl + click", action: "Add a node to the selection" },
  { keys: "Esc", action: "Close a dialog or menu" },
  { keys: "?", action: "Show these shortcuts" },
];
