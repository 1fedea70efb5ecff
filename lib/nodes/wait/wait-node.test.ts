import { describe, expect, it } from "vitest";
import { systemClock } from "@/lib/engine/clock";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { runSingleNode } from "@/lib/engine/single-node";
import { createMemoryJournal } from "@/lib/engine/testing/memory-journal";
import { createMemoryWaits } from "@/lib/engine/testing/memory-waits";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { transform, trigger, workflow } from "@/lib/engine/testing/workflow-builder";
import { validateWorkflow } from "@/lib/workflow/validate";
import { checkApprovalValues } from "./approval";

const wait = (id: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  type: "wait",
  config,
  ...extra,
});

describe("wait node", () => {
  it("suspends its branch while the others finish, then resumes on the handle its outcome names", async () => {
    const def = workflow(
      [
        trigger(),
        wait("w", { for: "approval", title: "Ship it?", fields: [{ name: "note", type: "text" }] }),
        transform("yes", '"approved"'),
        transform("no", '"rejected: " & $string(nodes.w.comment)'),
        transform("side", "nodes.w.approvalUrl"),
      ],
      ["start->w", "w->yes", "w:rejected->no", "start->side"],
    );
    const journal = createMemoryJournal();
    const waits = createMemoryWaits();
    const first = createTestPorts({ journal, waits, clock: systemClock });
    const out1 = await runWorkflow({ definition: def, inputs: { order: 7 }, ports: first });
    expect(out1.status).toBe("waiting");
    expect(out1.nodes.w?.status).toBe("waiting");
    expect(out1.nodes.side?.status).toBe("succeeded");
    // The parallel branch saw the approval link while the wait was pending.
    expect(out1.nodes.side?.output).toBe("/approve/t-w");
    const waitingEvent = first.events.nodeEvents("waiting")[0];
    expect(waitingEvent?.waiting).toEqual({ for: "approval" });
    expect(waits.registered.get("w")?.approval).toMatchObject({ title: "Ship it?", data: { order: 7 } });
    const final = first.events.events.at(-1);
    expect(final).toMatchObject({ type: "execution", status: "waiting" });

    waits.resolve("w", { by: "approval", approved: false, comment: "too big" });
    const second = createTestPorts({ journal, waits, clock: systemClock });
    const out2 = await runWorkflow({ definition: def, inputs: { order: 7 }, ports: second });
    expect(out2.status).toBe("succeeded");
    expect(out2.nodes.no?.output).toBe("rejected: too big");
    expect(out2.nodes.yes?.status).toBe("skipped");
    // The side branch was not run again.
    expect(second.events.nodeEvents("running").map((e) => e.nodeId)).not.toContain("side");
  });

  it("in a loop body suspends only the items that wait; the loop finishes once they resume", async () => {
    const def = workflow(
      [
        trigger(),
        { id: "each", type: "loop", config: { items: "[1,2,3,4]", concurrency: 2 } },
        wait("gate", { for: "webhook" }, { parentId: "each" }),
        transform("double", "$item * 2", { parentId: "each" }),
        transform("after", "nodes.each.results"),
      ],
      ["start->each", "gate->double", "each->after"],
    );
    // Only even items wait: odd items bypass (a condition would do this; here every item waits,
    // and the test resumes them in two rounds).
    const journal = createMemoryJournal();
    const waits = createMemoryWaits();
    const out1 = await runWorkflow({
      definition: def,
      inputs: {},
      ports: createTestPorts({ journal, waits }),
    });
    expect(out1.status).toBe("waiting");
    expect([...waits.registered.keys()].sort()).toEqual(["gate#0", "gate#1", "gate#2", "gate#3"]);
    waits.resolve("gate#0", { by: "webhook", data: 1 });
    waits.resolve("gate#2", { by: "webhook", data: 3 });
    const p2 = createTestPorts({ journal, waits });
    const out2 = await runWorkflow({ definition: def, inputs: {}, ports: p2 });
    expect(out2.status).toBe("waiting");
    expect(out2.nodes.each?.output).toEqual({ for: "items", items: 2 });
    waits.resolve("gate#1", { by: "key" });
    waits.resolve("gate#3", { by: "timeout" });
    const p3 = createTestPorts({ journal, waits });
    const out3 = await runWorkflow({ definition: def, inputs: {}, ports: p3 });
    expect(out3.status).toBe("succeeded");
    // Item 3 timed out: its `timeout` handle has no edge, so `double` is skipped and the item's result is null.
    expect(out3.nodes.after?.output).toEqual([2, 4, 6, null]);
    // Items 0 and 2 were restored, not run again.
    const rerun = p3.events.nodeEvents("running").filter((e) => e.nodeId === "double");
    expect(rerun.map((e) => e.iteration)).toEqual([[1]]);
  });

  it("sleeps in place for a short timer and takes `timeout` when the timeout comes first", async () => {
    const def = workflow(
      [
        trigger(),
        wait("short", { for: "duration", ms: 30 }),
        wait("t", { for: "duration", ms: 500, timeoutMs: 20 }),
      ],
      ["start->short", "short->t"],
    );
    const ports = createTestPorts({ waits: createMemoryWaits(), clock: systemClock });
    const out = await runWorkflow({ definition: def, inputs: {}, ports });
    expect(out.status).toBe("succeeded");
    expect(out.nodes.short?.output).toMatchObject({ by: "timer" });
    expect(out.nodes.t?.output).toMatchObject({ by: "timeout" });
    expect(out.nodes.t?.handle).toBe("timeout");
  });

  it("registers a long timer with its due time and correlation key", async () => {
    const def = workflow(
      [
        trigger(),
        wait("w", { for: "until", at: '"2027-06-01T09:00:00Z"', correlationKey: "inputs.invoice" }),
      ],
      ["start->w"],
    );
    const waits = createMemoryWaits();
    const ports = createTestPorts({ waits });
    const out = await runWorkflow({ definition: def, inputs: { invoice: "INV-9" }, ports });
    expect(out.status).toBe("waiting");
    expect(waits.registered.get("w")).toMatchObject({
      for: "time",
      dueAt: "2027-06-01T09:00:00.000Z",
      correlationKey: "INV-9",
    });
    expect(ports.events.nodeEvents("waiting")[0]?.waiting).toEqual({
      for: "time",
      until: "2027-06-01T09:00:00.000Z",
      key: "INV-9",
    });
  });

  it("fails clearly where it cannot suspend, and validates its config", async () => {
    const def = workflow([trigger(), wait("w", { for: "webhook" })], ["start->w"]);
    const res = await runSingleNode({ definition: def, nodeId: "w", input: {}, ports: createTestPorts() });
    expect(res.status).toBe("failed");
    expect(res.error?.message).toMatch(/only wait in a whole run/);
    const bad = validateWorkflow({
      version: 1,
      name: "x",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        { id: "w", type: "wait", config: { for: "approval" } },
      ],
      edges: [{ source: "start", target: "w" }],
    });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toMatch(/title/);
  });

  it("checks approval values against the form's fields", () => {
    const fields = [
      { name: "amount", type: "number" as const, required: true },
      { name: "tier", type: "select" as const, options: ["a", "b"] },
      { name: "ok", type: "boolean" as const },
    ];
    expect(
      checkApprovalValues(fields, { approved: true, data: { amount: "12", tier: "b", ok: true } }),
    ).toEqual({
      ok: true,
      data: { amount: 12, tier: "b", ok: true },
    });
    const bad = checkApprovalValues(fields, { approved: true, data: { tier: "c", extra: 1 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.issues.map((i) => i.path.join("."))).toEqual(["data.extra", "data.amount", "data.tier"]);
    // Rejecting needs no required field.
    expect(checkApprovalValues(fields, { approved: false }).ok).toBe(true);
  });
});
