/** The widest `$pad` result an expression may ask for (characters). */
export const MAX_PAD_WIDTH = 1_000_000;

/**
 * JSONata's `$pad(str, width, char?)` with a bound on `width`. The built-in builds an array of
 * `width` elements, and a width of a few hundred million aborts the whole process (V8 fatal
 * "invalid size error", which no try/catch can stop). Register it with signature `<s-ns?:s>`.
 */
export function boundedPad(str: string | undefined, width: number, char?: string): string | undefined {
  if (str === undefined) return undefined;
  const w = Math.trunc(width);
  if (!Number.isFinite(w) || Math.abs(w) > MAX_PAD_WIDTH) {
    throw new Error(`$pad: width ${width} is over the limit of ${MAX_PAD_WIDTH}`);
  }
  const fill = char === undefined || char.length === 0 ? " " : char;
  const padLength = Math.abs(w) - [...str].length;
  if (padLength <= 0) return str;
  const fillPoints = [...fill];
  let padding = fill.repeat(Math.ceil(padLength / fillPoints.length));
  if (fillPoints.length > 1) padding = [...padding].slice(0, padLength).join("");
  return w > 0 ? str + padding : padding + str;
}
