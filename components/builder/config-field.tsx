"use client";

import { type ReactNode, useEffect, useId, useState } from "react";
import { CodeEditor } from "@/components/editor/code-editor";
import { type ConfigField, isTemplate } from "@/lib/editor/config-fields";
import { checkCodeSyntax } from "@/lib/sandbox/check-syntax";
import { ExpressionPreview } from "./expression-preview";
import { useCompletions } from "./use-completions";

interface FieldProps {
  field: ConfigField;
  nodeId: string;
  value: unknown;
  error?: string;
  /** What expressions here can read (`inputs`, `input`, `nodes.x`…). */
  scope: string[];
  onChange(value: unknown): void;
  onCommit(): void;
}

const labelOf = (key: string) => key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase());

/** One generated config field, with its inline error and, for expressions, what is in scope. */
export function ConfigFieldInput({ field, nodeId, value, error, scope, onChange, onCommit }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const expressive = field.kind === "expression" || field.kind === "template" || isTemplate(value);
  const completions = useCompletions(nodeId, scope);
  const common = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? errorId : undefined,
    "data-testid": `config-${nodeId}-${field.key}`,
    onBlur: onCommit,
  };
  const insert = (token: string) => {
    const text = typeof value === "string" ? value : "";
    const piece = field.kind === "expression" ? token : `{{ ${token} }}`;
    onChange(text ? `${text}${text.endsWith(" ") ? "" : " "}${piece}` : piece);
  };

  let control: ReactNode;
  switch (field.kind) {
    case "select":
      control = (
        <select
          {...common}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          {!field.required && <option value="">(default)</option>}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case "checkbox":
      control = (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
      break;
    case "number":
      control = (
        <input
          {...common}
          type="number"
          inputMode={field.integer ? "numeric" : "decimal"}
          min={field.min}
          max={field.max}
          step={field.integer ? 1 : "any"}
          value={typeof value === "number" ? value : ""}
          onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
        />
      );
      break;
    case "json":
      control = <JsonField common={common} value={value} onChange={onChange} />;
      break;
    case "list":
      control = (
        <input
          {...common}
          type="text"
          value={Array.isArray(value) ? value.join(", ") : typeof value === "string" ? value : ""}
          onChange={(e) => {
            const text = e.target.value;
            onChange(
              text.includes(",")
                ? text
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean)
                : text,
            );
          }}
        />
      );
      break;
    case "expression":
    case "code":
      control = (
        <CodeEditor
          mode={field.kind === "code" ? "javascript" : "jsonata"}
          value={typeof value === "string" ? value : ""}
          onChange={(text) => onChange(text === "" && !field.required ? undefined : text)}
          // Expressions: the field's own error line says what is wrong; code: marked at its line.
          validate={field.kind === "code" ? checkCodeSyntax : undefined}
          error={field.kind === "code" ? undefined : null}
          completions={completions}
          data-testid={`config-${nodeId}-${field.key}`}
          aria-label={field.label ?? labelOf(field.key)}
          minHeight={field.kind === "code" ? "12em" : "2.6em"}
        />
      );
      break;
    case "textarea":
      control = (
        <textarea
          {...common}
          className={expressive ? "bn-mono" : undefined}
          rows={4}
          spellCheck={false}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value === "" && !field.required ? undefined : e.target.value)}
        />
      );
      break;
    default:
      control = (
        <input
          {...common}
          type="text"
          className={expressive ? "bn-mono" : undefined}
          placeholder={field.placeholder}
          spellCheck={false}
          value={typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value === "" && !field.required ? undefined : e.target.value)}
        />
      );
  }

  return (
    <div className={`bn-field${field.kind === "checkbox" ? " is-inline" : ""}${error ? " has-error" : ""}`}>
      <label htmlFor={id}>
        {field.label ?? labelOf(field.key)}
        {field.required && (
          <span className="bn-required" aria-hidden="true">
            {" "}
            *
          </span>
        )}
        {field.kind === "expression" && <span className="bn-field-tag">expression</span>}
      </label>
      {control}
      {field.kind === "expression" && typeof value === "string" && !error && (
        <ExpressionPreview nodeId={nodeId} fieldKey={field.key} source={value} />
      )}
      {field.help && <p className="bn-field-hint">{field.help}</p>}
      {expressive && (
        <div className="bn-scope" data-testid={`scope-${nodeId}-${field.key}`}>
          <span>Available:</span>
          {scope.map((token) => (
            <button
              key={token}
              type="button"
              className="bn-chip"
              onClick={() => insert(token)}
              aria-label={`Insert ${token}`}
            >
              {token}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="bn-field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A JSON editor that commits only text that parses; an empty box means "not set". */
function JsonField({
  common,
  value,
  onChange,
}: {
  common: Record<string, unknown>;
  value: unknown;
  onChange(value: unknown): void;
}) {
  const shown = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(shown);
  const [bad, setBad] = useState<string | undefined>();
  useEffect(() => {
    setText((t) => {
      try {
        return t.trim() !== "" && JSON.stringify(JSON.parse(t)) === JSON.stringify(value) ? t : shown;
      } catch {
        return t;
      }
    });
  }, [value, shown]);
  return (
    <>
      <textarea
        {...common}
        className="bn-mono"
        rows={3}
        spellCheck={false}
        value={text}
        placeholder="JSON, e.g. {}"
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === "") {
            setBad(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(t));
            setBad(undefined);
          } catch {
            setBad("not valid JSON yet");
          }
        }}
      />
      {bad && <p className="bn-field-hint">{bad}</p>}
    </>
  );
}
