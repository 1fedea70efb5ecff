import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";
import { AnsweredNotice, ApprovalForm } from "@/components/wait/approval-form";
import { dataPreview } from "@/components/wait/approval-model";
import { getDb } from "@/lib/db/client";
import { getApproval } from "@/lib/runs/waits";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ token: string }> };

/** One read per request, shared by the metadata and the page. */
const load = cache(async (token: string) => getApproval(await getDb(), token));

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { token } = await params;
  const approval = await load(token);
  return {
    title: approval ? `Approve: ${approval.title}` : "Approval",
    // The link is a credential: never indexed, never sent on as a referrer.
    robots: { index: false, follow: false },
    referrer: "no-referrer",
  };
}

/**
 * `/approve/<token>`: a person approves or rejects a waiting `wait` node (SPEC §1 `wait`,
 * `for: "approval"`). No session: the token in the link is the credential. Shows the title, the
 * message, the data the node was given and the form; once answered, the answer, read-only.
 */
export default async function ApprovePage({ params }: Props) {
  const { token } = await params;
  const approval = await load(token);
  if (!approval) notFound();
  const preview = dataPreview(approval.data);
  return (
    <main className="approve-page" data-testid="approve-page" data-state={approval.state}>
      <article className="card approve-card">
        <header className="approve-head">
          <p className="approve-kicker">Approval requested</p>
          <h1 data-testid="approval-title">{approval.title}</h1>
          {approval.message ? (
            <p className="approve-message" data-testid="approval-message">
              {approval.message}
            </p>
          ) : null}
        </header>
        {preview ? (
          <details className="approve-data" open={!preview.large}>
            <summary>Data{preview.large ? " (large: tap to show)" : ""}</summary>
            <pre data-testid="approval-data">{preview.text}</pre>
          </details>
        ) : null}
        <section className="approve-answer" aria-label="Your answer">
          {approval.state === "pending" ? (
            <ApprovalForm token={token} fields={approval.fields} />
          ) : approval.state === "resolved" ? (
            <AnsweredNotice outcome={approval.resolution} prefix="Already answered" />
          ) : (
            <div
              className="approval-result"
              role="status"
              data-outcome="closed"
              data-testid="approval-result"
            >
              <strong>Closed.</strong>{" "}
              <span>The run was cancelled: this approval needs no answer any more.</span>
            </div>
          )}
        </section>
      </article>
    </main>
  );
}
