import { parse } from "acorn";
import type { CodeSyntaxError } from "./code-error";

/** The parameters user code sees, in the order the sandbox passes them. */
export const CODE_PARAMETERS = ["input", "inputs", "nodes", "item", "index"] as const;

const HEADER = `(async function (${CODE_PARAMETERS.join(", ")}) {\n`;
const FOOTER = "\n})";

/** How many lines the wrapper adds before the user's first line. */
export const CODE_LINE_OFFSET = 1;

/** The user's source as the script the sandbox evaluates: one async function expression. */
export function wrapCodeSource(source: string): string {
  return `${HEADER}${source}${FOOTER}`;
}

interface AcornError {
  message: string;
  loc?: { line: number; column: number };
}

/** Maps acorn's position to the user's source; past its end (in the wrapper's footer) means its end. */
function toSyntaxError(err: unknown, source: string, lineOffset: number): CodeSyntaxError {
  const e = err as AcornError;
  const message = String(e.message ?? err).replace(/ \(\d+:\d+\)$/, "");
  const lines = source.split("\n");
  const line = Math.max(1, (e.loc?.line ?? 1) - lineOffset);
  if (line > lines.length) return { message, line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
  return { message, line, column: (e.loc?.column ?? 0) + 1 };
}

/**
 * Checks user code as the body of the sandbox's async function, in the browser or on the server.
 * Returns null when it parses, else the first error with its 1-based line and column in the
 * user's source. Code that closes the function body early (`}); …`) is an error too.
 */
export function checkCodeSyntax(source: string): CodeSyntaxError | null {
  let program: ReturnType<typeof parse>;
  try {
    program = parse(wrapCodeSource(source), { ecmaVersion: "latest", sourceType: "script" });
  } catch (err) {
    return toSyntaxError(err, source, CODE_LINE_OFFSET);
  }
  const only = program.body[0];
  if (
    program.body.length === 1 &&
    only?.type === "ExpressionStatement" &&
    only.expression.type === "FunctionExpression" &&
    only.expression.end === HEADER.length + source.length + FOOTER.length - 1
  ) {
    return null;
  }
  // The source escaped the wrapper; parsing it alone as a body points at the stray brace.
  try {
    parse(source, {
      ecmaVersion: "latest",
      sourceType: "script",
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
    });
  } catch (err) {
    return toSyntaxError(err, source, 0);
  }
  return { message: "the code closes the function body early", line: 1, column: 1 };
}
