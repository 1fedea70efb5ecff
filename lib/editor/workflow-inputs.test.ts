import { describe, expect, it } from "vitest";
import { workflowInputsOf } from "./workflow-inputs";

const def = (...configs: unknown[]) => ({ nodes: configs.map((config) => ({ config })) });

describe("workflowInputsOf", () => {
  it("finds inputs.<name> in expressions and templates, sorted and once each", () => {
    expect(
      workflowInputsOf(
        def(
          { expression: "inputs.total * 2 + inputs.count" },
          { template: "Hello {{ inputs.name }}, you have {{ inputs.count }}" },
          {},
        ),
      ),
    ).toEqual(["count", "name", "total"]);
  });

  it("finds bracketed names with either quote, and names in nested config values", () => {
    expect(
      workflowInputsOf(
        def(
          { headers: { "x-id": '{{ inputs["order id"] }}' }, body: ["{{ inputs['b'] }}", 3, null] },
          { url: "https://x/{{ inputs . c }}" },
        ),
      ),
    ).toEqual(["b", "c", "order id"]);
  });

  it("ignores other words ending in inputs, nested .inputs and bare inputs", () => {
    expect(
      workflowInputsOf(
        def({ expression: "myinputs.a + nodes.x.inputs.b + $inputs.c" }, { expression: "inputs" }),
      ),
    ).toEqual([]);
  });

  it("gives nothing for a workflow without configs", () => {
    expect(workflowInputsOf({ nodes: [] })).toEqual([]);
    expect(workflowInputsOf(def(undefined, 5))).toEqual([]);
  });
});
