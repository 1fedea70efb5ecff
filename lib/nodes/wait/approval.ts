import { z } from "zod";

/** One field of an approval form (SPEC §1 `wait`): what `/approve/<token>` asks. */
export const ApprovalFieldSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "a field name is a letter or _ then letters, digits or _"),
  label: z.string().max(200).optional(),
  type: z.enum(["text", "number", "boolean", "select"]),
  options: z.array(z.string().max(200)).min(1).max(100).optional(),
  required: z.boolean().optional(),
});
export type ApprovalFieldSchema = z.infer<typeof ApprovalFieldSchema>;

export const ApprovalFields = z
  .array(ApprovalFieldSchema)
  .max(50)
  .superRefine((fields, ctx) => {
    const seen = new Set<string>();
    for (const [i, f] of fields.entries()) {
      if (seen.has(f.name))
        ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${f.name}" is used twice` });
      seen.add(f.name);
      if (f.type === "select" && !f.options)
        ctx.addIssue({ code: "custom", path: [i, "options"], message: "a select field needs options" });
    }
  });

/** An answer to an approval: approve or reject, a comment, and the form's values. */
export const ApprovalAnswer = z.strictObject({
  approved: z.boolean(),
  comment: z.string().max(10_000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;

/** One problem with an answer's value: the path names the field (`data.amount`). */
export interface AnswerIssue {
  path: string[];
  message: string;
}

/**
 * Checks an approval's values against its fields: required fields present (when approving), each
 * value of its field's type (a select's among its options), no field the form does not have.
 * Returns the values to store (numbers given as text are read as numbers) or the issues.
 */
export function checkApprovalValues(
  fields: readonly ApprovalFieldSchema[],
  answer: ApprovalAnswer,
): { ok: true; data: Record<string, unknown> } | { ok: false; issues: AnswerIssue[] } {
  const given = answer.data ?? {};
  const issues: AnswerIssue[] = [];
  const data: Record<string, unknown> = {};
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) issues.push({ path: ["data", name], message: `the form has no field "${name}"` });
  }
  for (const f of fields) {
    const raw = given[f.name];
    const label = f.label ?? f.name;
    if (raw === undefined || raw === null || raw === "") {
      if (f.required && answer.approved)
        issues.push({ path: ["data", f.name], message: `${label} is required` });
      continue;
    }
    switch (f.type) {
      case "text":
        if (typeof raw !== "string")
          issues.push({ path: ["data", f.name], message: `${label} must be text` });
        else if (raw.length > 10_000)
          issues.push({ path: ["data", f.name], message: `${label} is too long` });
        else data[f.name] = raw;
        break;
      case "number": {
        const n = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
        if (!Number.isFinite(n))
          issues.push({ path: ["data", f.name], message: `${label} must be a number` });
        else data[f.name] = n;
        break;
      }
      case "boolean":
        if (typeof raw === "boolean") data[f.name] = raw;
        else if (raw === "true" || raw === "on") data[f.name] = true;
        else if (raw === "false") data[f.name] = false;
        else issues.push({ path: ["data", f.name], message: `${label} must be true or false` });
        break;
      case "select":
        if (typeof raw !== "string" || !f.options?.includes(raw))
          issues.push({
            path: ["data", f.name],
            message: `${label} must be one of: ${(f.options ?? []).join(", ")}`,
          });
        else data[f.name] = raw;
        break;
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, data };
}
