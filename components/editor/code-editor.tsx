"use client";

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { bracketMatching, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { Compartment, EditorState, type Text } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, placeholder as placeholderExtension } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { useEffect, useRef } from "react";
import { jsonataLanguage } from "./jsonata-language";
import { pathCompletionSource } from "./path-completion";

/** An error to mark in the text: 1-based line and column, as checkCodeSyntax returns. */
export interface CodeEditorError {
  message: string;
  line: number;
  column: number;
}

/** Props of the one code editor used for code nodes (`javascript`) and expression fields (`jsonata`). */
export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  mode: "javascript" | "jsonata";
  /** An error to mark inline; when absent, `validate` (if given) computes one as the text changes. */
  error?: CodeEditorError | null;
  validate?: (value: string) => CodeEditorError | null;
  /** Paths offered by autocompletion, such as `input`, `inputs.x`, `nodes.fetch.body.id`. */
  completions?: readonly string[];
  "data-testid"?: string;
  "aria-label"?: string;
  placeholder?: string;
  readOnly?: boolean;
  /** CSS min-height of the editing area; default 6 lines. */
  minHeight?: string;
}

/** Colors come from CSS variables, so the editor follows the app's light and dark themes. */
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.operatorKeyword], color: "var(--code-keyword, #7c3aed)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--code-string, #047857)" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "var(--code-number, #b45309)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--text-3)", fontStyle: "italic" },
  { tag: [tags.special(tags.variableName), tags.variableName], color: "var(--code-variable, #2563eb)" },
  { tag: [tags.propertyName], color: "var(--code-property, var(--text))" },
  { tag: [tags.regexp], color: "var(--code-regexp, #be123c)" },
  { tag: [tags.operator, tags.bracket, tags.punctuation], color: "var(--text-2)" },
]);

const theme = EditorView.theme({
  "&": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border-strong)",
    borderRadius: "var(--radius-sm)",
    fontSize: "13px",
  },
  "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "-1px" },
  ".cm-content": { fontFamily: "var(--mono)", caretColor: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--mono)" },
  ".cm-gutters": { backgroundColor: "var(--surface-2)", color: "var(--text-3)", border: "none" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  ".cm-cursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--accent-soft)",
  },
  ".cm-tooltip": {
    backgroundColor: "var(--surface)",
    color: "var(--text)",
    border: "1px solid var(--border-strong)",
  },
  ".cm-tooltip-autocomplete ul li[aria-selected]": { backgroundColor: "var(--accent)", color: "#fff" },
  ".cm-diagnostic-error": { borderLeftColor: "var(--danger)" },
  ".cm-lintRange-error": { backgroundImage: "none", textDecoration: "underline wavy var(--danger)" },
});

/** Where a 1-based line and column fall in the document, clamped to it. */
export function errorRange(doc: Text, error: CodeEditorError): { from: number; to: number } {
  const line = doc.line(Math.min(Math.max(1, error.line), doc.lines));
  const from = line.from + Math.min(Math.max(0, error.column - 1), line.length);
  const to = from < line.to ? from + 1 : from;
  return { from, to };
}

function diagnostics(doc: Text, error: CodeEditorError | null | undefined): Diagnostic[] {
  if (!error) return [];
  const { from, to } = errorRange(doc, error);
  return [
    { from, to, severity: "error", message: `${error.message} (line ${error.line}, column ${error.column})` },
  ];
}

/**
 * A CodeMirror 6 editor: JavaScript or JSONata highlighting, inline error markers, path
 * autocompletion, controlled through `value` and `onChange`.
 */
export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const paths = useRef<readonly string[]>(props.completions ?? []);
  paths.current = props.completions ?? [];
  const language = useRef(new Compartment());
  const editable = useRef(new Compartment());
  const { mode, readOnly, placeholder, minHeight } = props;

  // Created once; later prop changes are dispatched into it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the view is created once per mount.
  useEffect(() => {
    if (!host.current) return;
    const created = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          history(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          lintGutter(),
          autocompletion({ override: [pathCompletionSource(() => paths.current)], activateOnTyping: true }),
          keymap.of([
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            ...completionKeymap,
            indentWithTab,
          ]),
          syntaxHighlighting(highlight),
          theme,
          EditorView.theme({ ".cm-content, .cm-gutter": { minHeight: minHeight ?? "7.5em" } }),
          language.current.of(mode === "javascript" ? javascript() : jsonataLanguage),
          editable.current.of([EditorState.readOnly.of(Boolean(readOnly))]),
          placeholder ? placeholderExtension(placeholder) : [],
          EditorView.contentAttributes.of({
            "aria-label": props["aria-label"] ?? `${mode} editor`,
            // On the editable element itself, so tests (and people) can type into it.
            ...(props["data-testid"] ? { "data-testid": props["data-testid"] } : {}),
          }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChange.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== props.value)
      v.dispatch({ changes: { from: 0, to: current.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: language.current.reconfigure(mode === "javascript" ? javascript() : jsonataLanguage),
    });
  }, [mode]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([EditorState.readOnly.of(Boolean(readOnly))]),
    });
  }, [readOnly]);

  const { error, validate, value } = props;
  const shown = error !== undefined ? error : (validate?.(value) ?? null);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, diagnostics(v.state.doc, shown)));
  }, [shown]);

  const testId = props["data-testid"];
  return (
    <div className="code-editor" data-mode={mode}>
      <div ref={host} />
      {shown ? (
        <p
          className="code-editor-error"
          role="alert"
          data-testid={testId ? `${testId}-error` : undefined}
          style={{ color: "var(--danger)", fontSize: "12px", margin: "4px 0 0" }}
        >
          Line {shown.line}, column {shown.column}: {shown.message}
        </p>
      ) : null}
    </div>
  );
}
