/** JSONata-style truthiness: nothing, false, 0, "", NaN, [] and {} are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return false;
  if (typeof value === "number") return !Number.isNaN(value);
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}
