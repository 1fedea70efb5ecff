import { describe, expect, it } from "vitest";
import { runWorkflow } from "@/lib/engine/run-workflow";
import { createTestPorts } from "@/lib/engine/testing/test-ports";
import { validateWorkflow } from "@/lib/workflow/validate";
import { findTemplate, TEMPLATES } from "./index";

const OUTSIDE_WORLD = new Set(["http", "llm", "email"]);

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

  it("covers fan-out and merge, a condition, filter + transform, a delay and an error branch", () => {
    const types = (id: string) => new Set(findTemplate(id)?.definition.nodes.map((n) => n.type));
    expect(types("fan-out-merge").has("merge")).toBe(true);
    expect(types("condition-skips").has("condition")).toBe(true);
    expect([...types("filter-transform")]).toEqual(expect.arrayContaining(["filter", "transform"]));
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
      const ports = createTestPorts();
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
});
