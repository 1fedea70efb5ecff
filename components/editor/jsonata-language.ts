import { StreamLanguage, type StringStream } from "@codemirror/language";

interface State {
  inComment: boolean;
  /** Whether a `/` here starts a regex (after an operator or an opening bracket) or divides. */
  regexAllowed: boolean;
}

const KEYWORDS = /^(?:and|or|in|function|λ)\b/;
const ATOMS = /^(?:true|false|null)\b/;

function token(stream: StringStream, state: State): string | null {
  if (state.inComment) {
    if (stream.skipTo("*/")) {
      stream.pos += 2;
      state.inComment = false;
    } else stream.skipToEnd();
    return "comment";
  }
  if (stream.eatSpace()) return null;
  if (stream.match("/*")) {
    state.inComment = true;
    return token(stream, state) ?? "comment";
  }
  const ch = stream.peek() as string;
  if (ch === '"' || ch === "'") {
    stream.next();
    let escaped = false;
    for (let c = stream.next(); c !== undefined; c = stream.next()) {
      if (c === ch && !escaped) break;
      escaped = !escaped && c === "\\";
    }
    state.regexAllowed = false;
    return "string";
  }
  if (ch === "`") {
    stream.next();
    stream.skipTo("`") ? stream.next() : stream.skipToEnd();
    state.regexAllowed = false;
    return "property";
  }
  if (ch === "/" && state.regexAllowed) {
    stream.next();
    let escaped = false;
    for (let c = stream.next(); c !== undefined; c = stream.next()) {
      if (c === "/" && !escaped) break;
      escaped = !escaped && c === "\\";
    }
    stream.match(/^[im]*/);
    state.regexAllowed = false;
    return "string-2";
  }
  if (stream.match(/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/)) {
    state.regexAllowed = false;
    return "number";
  }
  if (stream.match(/^\$[\w$]*/)) {
    state.regexAllowed = false;
    return "variable-2";
  }
  if (stream.match(KEYWORDS)) {
    state.regexAllowed = true;
    return "keyword";
  }
  if (stream.match(ATOMS)) {
    state.regexAllowed = false;
    return "atom";
  }
  if (stream.match(/^[A-Za-z_][\w]*/)) {
    state.regexAllowed = false;
    return "property";
  }
  if (stream.match(/^[()[\]{}]/)) {
    state.regexAllowed = ch === "(" || ch === "[" || ch === "{";
    return "bracket";
  }
  if (stream.match(/^(?::=|~>|!=|<=|>=|\.\.|\*\*|[-+*/%&|!=<>?:.,;^#@~])/)) {
    state.regexAllowed = true;
    return "operator";
  }
  stream.next();
  return null;
}

/** JSONata highlighting for CodeMirror: strings, numbers, `$variables`, regexes, comments, operators. */
export const jsonataLanguage = StreamLanguage.define<State>({
  name: "jsonata",
  startState: () => ({ inComment: false, regexAllowed: true }),
  token,
  languageData: { commentTokens: { block: { open: "/*", close: "*/" } } },
});
