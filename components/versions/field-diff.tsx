"use client";

import type { FieldChange, NodeDiff } from "@/lib/versions/diff";

const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v, null, 2));

/** A table of field changes: path, before, after. */
export function FieldDiffTable({
  fields,
  testId = "field-diff",
}: {
  fields: FieldChange[];
  testId?: string;
}) {
  if (fields.length === 0) return <p className="muted">No field changes.</p>;
  return (
    <table className="field-diff" data-testid={testId}>
      <thead>
        <tr>
          <th>Field</th>
          <th>Before</th>
          <th>After</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.path} data-kind={f.kind}>
            <td className="mono">{f.path || "(value)"}</td>
            <td className="before">
              <pre>{show(f.before)}</pre>
            </td>
            <td className="after">
              <pre>{show(f.after)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What changed in one node of a diff (or what it was, when added or removed). */
export function NodeDiffDetails({ node }: { node: NodeDiff | undefined }) {
  if (!node) return <p className="muted">Select a node on the canvas to see what changed in it.</p>;
  return (
    <div className="stack" data-testid="node-diff" data-node={node.id} data-kind={node.kind}>
      <div>
        <strong className="mono">{node.id}</strong> <span className="muted">{node.kind}</span>
        {node.moved ? <span className="muted"> · moved</span> : null}
      </div>
      {node.kind === "changed" ? <FieldDiffTable fields={node.fields} /> : null}
      {node.kind === "added" || node.kind === "removed" ? (
        <pre className="mono" style={{ fontSize: 12, whiteSpace: "pre-wrap" }}>
          {JSON.stringify((node.after ?? node.before)?.config, null, 2)}
        </pre>
      ) : null}
      {node.kind === "unchanged" ? <p className="muted">No changes in this node.</p> : null}
    </div>
  );
}
