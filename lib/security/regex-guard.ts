/**
 * A static guard against catastrophic backtracking (ReDoS). JavaScript regular expressions run
 * synchronously, so one exponential match blocks the whole process, timers included: an
 * expression timeout cannot interrupt it. Refused: a repeated group that itself contains a repeat
 * (`(a+)+`, `(\w+\s?)*`, `((ab)*c){2,}`) and backreferences. Not detected: overlapping
 * alternatives under a repeat (`(a|a)+`); those need a linear-time engine.
 */
export function unsafeRegexReason(source: string): string | undefined {
  type Frame = { repeats: boolean };
  const stack: Frame[] = [{ repeats: false }];
  let last: { group: boolean; innerRepeats: boolean } | undefined;
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k")
        return `backreference \\${next} in /${source}/ can take exponential time`;
      last = { group: false, innerRepeats: false };
      i += 2;
      continue;
    }
    if (c === "[") {
      i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      last = { group: false, innerRepeats: false };
      i++;
      continue;
    }
    if (c === "(") {
      stack.push({ repeats: false });
      last = undefined;
      i++;
      continue;
    }
    if (c === ")") {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : { repeats: false };
      const parent = stack[stack.length - 1] as Frame;
      parent.repeats ||= frame.repeats;
      last = { group: true, innerRepeats: frame.repeats };
      i++;
      continue;
    }
    const quantifier = readQuantifier(source, i);
    if (quantifier) {
      if (quantifier.repeats) {
        if (last?.group && last.innerRepeats) {
          return `nested repetition in /${source}/ can take exponential time; repeat the inner part or the group, not both`;
        }
        (stack[stack.length - 1] as Frame).repeats = true;
      }
      last = undefined;
      i = quantifier.end;
      continue;
    }
    last = c === "|" ? undefined : { group: false, innerRepeats: false };
    i++;
  }
  return undefined;
}

/** A quantifier at `i`: whether it can repeat more than once, and where it ends (lazy `?` included). */
function readQuantifier(source: string, i: number): { repeats: boolean; end: number } | undefined {
  const c = source[i];
  let end: number;
  let repeats: boolean;
  if (c === "*" || c === "+") {
    repeats = true;
    end = i + 1;
  } else if (c === "?") {
    repeats = false;
    end = i + 1;
  } else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    repeats = max > 1;
    end = i + m[0].length;
  } else {
    return undefined;
  }
  if (source[end] === "?") end++;
  return { repeats, end };
}

/** The first unsafe regular expression in a JSONata AST (`expr.ast()`), as a reason, or undefined. */
export function findUnsafeRegex(ast: unknown): string | undefined {
  const stack: unknown[] = [ast];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof RegExp) {
      const reason = unsafeRegexReason(node.source);
      if (reason) return reason;
      continue;
    }
    for (const value of Object.values(node)) stack.push(value);
  }
  return undefined;
}
