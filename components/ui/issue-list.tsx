import type { ValidationIssue } from "@/lib/workflow/validate";

/** Validation issues, each with the path it names (`nodes[2].config.url: url is required`). */
export function IssueList({ issues, testId }: { issues: readonly ValidationIssue[]; testId?: string }) {
  return (
    <ul className="issue-list" role="alert" data-testid={testId}>
      {issues.slice(0, 50).map((issue, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; two issues may share a path
        <li key={i}>
          <code>{issue.path || "(root)"}</code>: {issue.message}
        </li>
      ))}
      {issues.length > 50 ? <li>and {issues.length - 50} more</li> : null}
    </ul>
  );
}
