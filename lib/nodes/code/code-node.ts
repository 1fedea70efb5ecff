import { z } from "zod";
import { EngineError } from "@/lib/engine/errors";
import { checkCodeSyntax } from "@/lib/sandbox/check-syntax";
import { clip, defineNodeType } from "../define";

export const CodeConfig = z
  .strictObject({
    source: z.string().min(1, "source is required").max(100_000),
    timeoutMs: z.int().min(1).max(30_000).optional(),
    memoryMb: z.int().min(1).max(256).optional(),
  })
  .superRefine((config, ctx) => {
    const problem = checkCodeSyntax(config.source);
    if (problem) {
      ctx.addIssue({
        code: "custom",
        path: ["source"],
        message: `SyntaxError at line ${problem.line}, column ${problem.column}: ${problem.message}`,
      });
    }
  });
export type CodeConfig = z.infer<typeof CodeConfig>;

const firstLine = (source: unknown) =>
  typeof source === "string"
    ? (source
        .split("\n")
        .find((l) => l.trim() !== "")
        ?.trim() ?? "")
    : "";

/**
 * `code`: JavaScript, the body of an async function that sees `input`, `inputs`, `nodes` (and
 * `item`, `index` in a loop), run in the code port's sandbox (QuickJS in WebAssembly, off the main
 * thread, limited in time and memory). It returns JSON; its `console.*` lines become the node's log
 * lines. It is pure as far as the world can tell: no network, files, host objects or secrets.
 */
export const codeNode = defineNodeType({
  type: "code",
  label: "Code",
  description: "Runs JavaScript in a sandbox and outputs what it returns.",
  glyph: "{",
  color: "#ca8a04",
  config: CodeConfig,
  handles: ["out"],
  defaults: { source: "// input, inputs and nodes are in scope; return JSON.\nreturn { value: input };" },
  fields: [
    {
      key: "source",
      kind: "code",
      required: true,
      help: "The body of an async function; return a JSON value.",
    },
    {
      key: "timeoutMs",
      kind: "number",
      label: "Timeout ms",
      integer: true,
      min: 1,
      max: 30_000,
      placeholder: "1000",
    },
    {
      key: "memoryMb",
      kind: "number",
      label: "Memory MB",
      integer: true,
      min: 1,
      max: 256,
      placeholder: "64",
    },
  ],
  summary: (c) => clip(firstLine(c.source)),
  estimate: { typicalMs: 5 },
  sideEffects: false,
  async execute(ctx) {
    const { node, scope } = ctx;
    if (!ctx.ports.code)
      throw new EngineError("unavailable", `code "${node.id}": no sandbox is configured here`);
    const outcome = await ctx.ports.code.run(
      {
        source: node.config.source,
        input: scope.input,
        inputs: scope.inputs,
        nodes: scope.nodes,
        ...(scope.index !== undefined ? { item: scope.item, index: scope.index } : {}),
        timeoutMs: node.config.timeoutMs,
        memoryMb: node.config.memoryMb,
      },
      { signal: ctx.signal },
    );
    for (const line of outcome.logs) ctx.log(line.level, line.message);
    if (!outcome.ok) throw new EngineError(outcome.error.code ?? "code", outcome.error.message);
    return { output: outcome.value };
  },
});
