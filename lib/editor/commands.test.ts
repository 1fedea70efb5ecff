import { describe, expect, it } from "vitest";
import { type Command, matchCommands, SHORTCUTS } from "./commands";

const commands: Command[] = [
  { id: "action:save", group: "Actions", label: "Save" },
  { id: "action:run", group: "Actions", label: "Run workflow" },
  { id: "action:history", group: "Actions", label: "Open history", keywords: "executions runs" },
  { id: "add:http", group: "Add node", label: "HTTP request", keywords: "http calls a url" },
  { id: "add:transform", group: "Add node", label: "Transform", keywords: "transform jsonata" },
  { id: "goto:fetch", group: "Go to node", label: "Fetch users", keywords: "fetch http" },
];

describe("matchCommands", () => {
  it.each([
    ["", ["action:save", "action:run", "action:history", "add:http", "add:transform", "goto:fetch"]],
    ["save", ["action:save"]],
    ["RUN", ["action:run", "action:history"]],
    ["http", ["add:http", "goto:fetch"]],
    ["add trans", ["add:transform"]],
    ["go fetch", ["goto:fetch"]],
    ["executions", ["action:history"]],
    ["nothing-matches", []],
  ])("%j → %j", (query, ids) => {
    expect(matchCommands(commands, query).map((c) => c.id)).toEqual(ids);
  });

  it("ranks a label that starts with the query before a keyword match", () => {
    const list: Command[] = [
      { id: "a", group: "Actions", label: "Open history", keywords: "transform" },
      { id: "b", group: "Add node", label: "Transform" },
    ];
    expect(matchCommands(list, "trans").map((c) => c.id)).toEqual(["b", "a"]);
  });

  it("lists the command palette, select-all and the overlay itself among the shortcuts", () => {
    const keys = SHORTCUTS.map((s) => s.keys).join(" | ");
    expect(keys).toContain("Ctrl/⌘ K");
    expect(keys).toContain("Ctrl/⌘ A");
    expect(keys).toContain("?");
  });
});
