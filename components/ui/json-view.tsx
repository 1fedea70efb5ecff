"use client";

/** Entries shown per object or array, so a huge output cannot freeze the page. */
const MAX_ENTRIES = 200;
/** Characters shown of a long string. */
const MAX_STRING = 5000;

/** Collapsible, read-only rendering of any JSON value; objects deeper than `openDepth` start closed. */
export function JsonView({
  value,
  openDepth = 2,
  testId,
}: {
  value: unknown;
  openDepth?: number;
  testId?: string;
}) {
  return (
    <div className="json-view" data-testid={testId}>
      <JsonNode value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({
  name,
  value,
  depth,
  openDepth,
}: {
  name?: string;
  value: unknown;
  depth: number;
  openDepth: number;
}) {
  const label = name === undefined ? null : <span className="json-key">{JSON.stringify(name)}: </span>;
  if (value === null || value === undefined) {
    return (
      <div>
        {label}
        <span className="json-null">null</span>
      </div>
    );
  }
  if (typeof value === "string") {
    return (
      <div>
        {label}
        <span className="json-string">
          {value.length > MAX_STRING
            ? `${JSON.stringify(value.slice(0, MAX_STRING))}… (${value.length - MAX_STRING} more characters)`
            : JSON.stringify(value)}
        </span>
      </div>
    );
  }
  if (typeof value === "number") {
    return (
      <div>
        {label}
        <span className="json-number">{String(value)}</span>
      </div>
    );
  }
  if (typeof value === "boolean") {
    return (
      <div>
        {label}
        <span className="json-bool">{String(value)}</span>
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const entries: [string, unknown][] = isArray
    ? (value as unknown[]).map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <div>
        {label}
        <span className="json-meta">{open + close}</span>
      </div>
    );
  }
  return (
    <details open={depth < openDepth}>
      <summary>
        {label}
        <span className="json-meta">
          {open} {entries.length}{" "}
          {isArray ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"}{" "}
          {close}
        </span>
      </summary>
      <div className="json-children">
        {entries.slice(0, MAX_ENTRIES).map(([k, v]) => (
          <JsonNode
            key={k}
            name={isArray ? undefined : k}
            value={v}
            depth={depth + 1}
            openDepth={openDepth}
          />
        ))}
        {entries.length > MAX_ENTRIES ? (
          <div className="json-meta">… {entries.length - MAX_ENTRIES} more not shown</div>
        ) : null}
      </div>
    </details>
  );
}
