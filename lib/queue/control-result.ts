import "server-only";
/**
 * What a control statement did: `previous` is the status it found, `status` the one it left,
 * `control` the request it left for the runner. Undefined when the execution does not exist.
 */
export interface ControlResult {
  previous: string;
  status: string;
  control: string | null;
  changed: boolean;
}

/** Maps the row a control statement returns. */
export function controlResultOf(
  row: { previous: string; status: string | null; control: string | null } | undefined,
): ControlResult | undefined {
  if (!row) return undefined;
  return {
    previous: row.previous,
    status: row.status ?? row.previous,
    control: row.control,
    changed: row.status !== null,
  };
}
