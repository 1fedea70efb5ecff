/**
 * A static guard against catastrophic backtracking (ReDoS). JavaScript regular expressions run
 * synchronously, so one exponential match blocks the whole process, timers included: an
 * expression timeout cannot interrupt it. Refused under a repeat (`*`, `+`, `{2,}`):
 * - a group that itself contains a repeat (`(a+)+`, `(\w+\s?)*`, `((ab)*c){2,}`);
 * - a group (at any depth) whose alternatives can match the same text: `(a|a)+`, `(\w|\d)*`,
 *   `((a|ab|b)c)+`. Alternatives overlap when their first characters can be the same (sampled over
 *   ASCII and a few other characters) or, for plain literals, when one is a prefix of another;
 *   `(ab|ac)+` is allowed, `(a|ab)+` is not;
 * and backreferences anywhere. Conservative: a few safe patterns are refused with a reason that
 * says how to rewrite them.
 */
export function unsafeRegexReason(source: string, flags = ""): string | undefined {
  type Frame = { repeats: boolean; ambiguous: boolean; altStart: number; alternatives: string[] };
  const open = (at: number): Frame => ({ repeats: false, ambiguous: false, altStart: at, alternatives: [] });
  const stack: Frame[] = [open(0)];
  let last: { group: boolean; innerRepeats: boolean; ambiguous: boolean } | undefined;
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k")
        return `backreference \\${next} in /${source}/ can take exponential time`;
      last = { group: false, innerRepeats: false, ambiguous: false };
      i += 2;
      continue;
    }
    if (c === "[") {
      i = classEnd(source, i);
      last = { group: false, innerRepeats: false, ambiguous: false };
      continue;
    }
    if (c === "(") {
      const prefix = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)?/.exec(source.slice(i))?.[0] ?? "(";
      stack.push(open(i + prefix.length));
      last = undefined;
      i += prefix.length;
      continue;
    }
    if (c === "|") {
      const frame = stack[stack.length - 1] as Frame;
      frame.alternatives.push(source.slice(frame.altStart, i));
      frame.altStart = i + 1;
      last = undefined;
      i++;
      continue;
    }
    if (c === ")") {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : open(i);
      if (frame.alternatives.length > 0) frame.alternatives.push(source.slice(frame.altStart, i));
      const ambiguous = frame.ambiguous || overlappingAlternatives(frame.alternatives, flags);
      const parent = stack[stack.length - 1] as Frame;
      parent.repeats ||= frame.repeats;
      parent.ambiguous ||= ambiguous;
      last = { group: true, innerRepeats: frame.repeats, ambiguous };
      i++;
      continue;
    }
    const quantifier = readQuantifier(source, i);
    if (quantifier) {
      if (quantifier.repeats) {
        if (last?.group && last.innerRepeats) {
          return `nested repetition in /${source}/ can take exponential time; repeat the inner part or the group, not both`;
        }
        if (last?.group && last.ambiguous) {
          return `alternatives that can match the same text, repeated, in /${source}/ can take exponential time; make them start differently (e.g. (a|b) or a character class)`;
        }
        (stack[stack.length - 1] as Frame).repeats = true;
      }
      last = undefined;
      i = quantifier.end;
      continue;
    }
    last = { group: false, innerRepeats: false, ambiguous: false };
    i++;
  }
  return undefined;
}

/** Index just past the character class that opens at `i`. */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === "^") j++;
  if (source[j] === "]") j++;
  while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
  return j + 1;
}

/** Characters tried when comparing what alternatives can start with. */
const SAMPLE = [
  ...Array.from({ length: 128 }, (_, n) => String.fromCharCode(n)),
  "\u00a0",
  "é",
  "ß",
  "Ж",
  "中",
  "\u2028",
  "😀",
];

const LITERAL = /^(?:[^\\^$.|?*+()[\]{}]|\\[^1-9kdDwWsSbBpPuxc0])*$/;

/** Whether two of `alternatives` (source texts) can match the same text from the same position. */
function overlappingAlternatives(alternatives: string[], flags: string): boolean {
  if (alternatives.length < 2) return false;
  const ignoreCase = flags.includes("i");
  const norm = (s: string) => {
    const plain = s.replace(/\\(.)/g, "$1");
    return ignoreCase ? plain.toLowerCase() : plain;
  };
  const firsts = alternatives.map((alt) => firstCharacters(alt, flags));
  for (let a = 0; a < alternatives.length; a++) {
    for (let b = a + 1; b < alternatives.length; b++) {
      const x = alternatives[a] as string;
      const y = alternatives[b] as string;
      if (x === "" || y === "") continue;
      if (LITERAL.test(x) && LITERAL.test(y)) {
        const [p, q] = [norm(x), norm(y)];
        if (p.startsWith(q) || q.startsWith(p)) return true;
        continue;
      }
      const fx = firsts[a];
      const fy = firsts[b];
      if (fx === undefined || fy === undefined) return true;
      for (const ch of fx) if (fy.has(ch)) return true;
    }
  }
  return false;
}

/** The sample characters an alternative's first atom matches, or undefined when unknown (a group). */
function firstCharacters(alternative: string, flags: string): Set<string> | undefined {
  let atom: string;
  if (alternative.startsWith("\\")) {
    atom =
      /^\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[pP]\{[^}]*\}|c[A-Za-z]|.)/u.exec(
        alternative,
      )?.[0] ?? alternative.slice(0, 2);
  } else if (alternative.startsWith("[")) {
    atom = alternative.slice(0, classEnd(alternative, 0));
  } else if (/^[(^$]/.test(alternative)) {
    return undefined;
  } else {
    atom = String.fromCodePoint(alternative.codePointAt(0) as number);
  }
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${atom})$`, flags.replace(/[gy]/g, ""));
  } catch {
    return undefined;
  }
  return new Set(SAMPLE.filter((ch) => re.test(ch)));
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
      const reason = unsafeRegexReason(node.source, node.flags);
      if (reason) return reason;
      continue;
    }
    for (const value of Object.values(node)) stack.push(value);
  }
  return undefined;
}
