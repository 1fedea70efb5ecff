import { describe, expect, it } from "vitest";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { createSandboxCodeRunner } from "@/lib/sandbox/code-runner";
import { validateWorkflow } from "@/lib/workflow/validate";
import { findTemplate, TEMPLATES } from "./index";

const OUTSIDE_WORLD = new Set(["http", "llm", "email"]);
/** Code nodes run in the real sandbox, as on the embedded default. */
const code = createSandboxCodeRunner();

describe("workflow templates", () => {
  it("has at least six, with unique ids, one of them an LLM example that names its key", () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(6);
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
    const llm = TEMPLATES.filter((t) => t.definition.nodes.some((n) => n.type === "llm"));
    expect(llm.length).toBeGreaterThanOrEqual(1);
    for (const t of llm) {
      expect(t.needsKey).toBe("OPENAI_API_KEY");
      expect(t.description).toContain("OPENAI_API_KEY");
    }
    expect(findTemplate("fan-out-merge")?.title).toBe("Fan out and merge");
    expect(findTemplate("nope")).toBeUndefined();
  });

  it("covers fan-out and merge, a condition, filter + transform, code, a delay and an error branch", () => {
    const types = (id: string) => new Set(findTemplate(id)?.definition.nodes.map((n) => n.type));
    expect(types("fan-out-merge").has("merge")).toBe(true);
    expect(types("condition-skips").has("condition")).toBe(true);
    expect([...types("filter-transform")]).toEqual(expect.arrayContaining(["filter", "transform"]));
    expect(types("csv-stats-code").has("code")).toBe(true);
    expect(types("delay-steps").has("delay")).toBe(true);
    expect(findTemplate("error-branch")?.definition.nodes.some((n) => n.onError === "branch")).toBe(true);
  });

  describe.each(TEMPLATES.map((t) => [t.id, t] as const))("%s", (_id, template) => {
    it("is a valid definition, laid out, that the builder can open", () => {
      const result = validateWorkflow(template.definition);
      expect(result.ok ? [] : result.issues).toEqual([]);
      expect(template.definition.nodes.every((n) => n.position !== undefined)).toBe(true);
    });

    it.runIf(!template.needsKey)("needs no key and no outside network", () => {
      expect(template.definition.nodes.filter((n) => OUTSIDE_WORLD.has(n.type))).toEqual([]);
    });

    it("runs with no inputs as it says", async () => {
      const ports = createTestPorts({ code });
      const outcome = await runWorkflow({ definition: template.definition, inputs: {}, ports });
      if (!template.expect) {
        // The LLM example runs against the test double of the model.
        expect(outcome.status).toBe("succeeded");
        return;
      }
      expect(outcome.error).toBeUndefined();
      expect(outcome.status).toBe(template.expect.status);
      if (template.expect.outputs) expect(outcome.outputs).toEqual(template.expect.outputs);
      for (const id of template.expect.skipped ?? []) expect(outcome.nodes[id]?.status).toBe("skipped");
    });
  });

  it("the code template parses the CSV given as inputs, and logs what it did", async () => {
    const template = findTemplate("csv-stats-code");
    if (!template) throw new Error("no csv-stats-code template");
    const ports = createTestPorts({ code });
    const csv = "region,product,units,price\nwest,widget,4,2.50\nwest,gadget,1,10\n\nnorth,widget,2,1.25\n";
    const outcome = await runWorkflow({ definition: template.definition, inputs: { csv }, ports });
    expect(outcome.error).toBeUndefined();
    expect(outcome.outputs).toEqual({
      result: {
        rows: 3,
        total: 22.5,
        average: 7.5,
        topRegion: "west",
        byRegion: { west: { units: 5, revenue: 20 }, north: { units: 2, revenue: 2.5 } },
      },
    });
    const logs = ports.events.events.filter((e) => e.type === "log" && e.nodeId === "stats");
    expect(logs.map((e) => (e as { message: string }).message)).toEqual(["parsed 3 rows in 2 regions"]);
  });
});
