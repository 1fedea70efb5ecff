"use client";

import { useEffect, useState } from "react";
import type { WaitingInfo } from "@/lib/contract/events";
import { ticks, waitingText } from "./waiting";
import "./wait.css";

/** The time now, again every `everyMs` while `enabled` (a countdown); constant otherwise. */
export function useNow(enabled: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [enabled, everyMs]);
  return now;
}

/** A link made absolute against this page's origin (what a person copies and sends). */
export function absoluteUrl(url: string): string {
  try {
    return new URL(url, window.location.origin).href;
  } catch {
    return url;
  }
}

/** Copies a text; says "Copied" for a moment (or that copying failed). */
export function CopyButton({
  text,
  label = "Copy",
  testId,
  className = "btn btn-sm",
}: {
  text: () => string;
  label?: string;
  testId?: string;
  className?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 1500);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className={`${className} nodrag nopan`}
      data-testid={testId}
      onClick={(e) => {
        e.stopPropagation();
        navigator.clipboard.writeText(text()).then(
          () => setState("copied"),
          () => setState("failed"),
        );
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : label}
    </button>
  );
}

/**
 * What a waiting node waits for, on its card (builder and execution canvas): a live countdown to
 * its timer, "waiting for approval" with a link to the approval page, or the webhook's resume URL
 * with a copy button. The links are there only when the viewer may see them (the owner's views);
 * `links={false}` hides them anyway.
 */
export function WaitingLine({
  nodeId,
  waiting,
  links = true,
}: {
  nodeId: string;
  waiting: WaitingInfo;
  links?: boolean;
}) {
  const now = useNow(ticks(waiting));
  const approvalUrl = links ? waiting.approvalUrl : undefined;
  const resumeUrl = links && waiting.for === "webhook" ? waiting.resumeUrl : undefined;
  return (
    <div className="waiting-line" data-testid={`waiting-${nodeId}`} data-for={waiting.for}>
      <span className="waiting-text" data-testid={`waiting-text-${nodeId}`} suppressHydrationWarning>
        {waitingText(waiting, now)}
      </span>
      {approvalUrl ? (
        <a
          className="waiting-link nodrag nopan"
          href={approvalUrl}
          target="_blank"
          rel="noopener noreferrer"
          data-testid={`waiting-approval-link-${nodeId}`}
          onClick={(e) => e.stopPropagation()}
        >
          Open approval page ↗
        </a>
      ) : null}
      {resumeUrl ? (
        <span className="waiting-url">
          <code title={`POST ${resumeUrl}`} data-testid={`waiting-resume-url-${nodeId}`}>
            POST {resumeUrl}
          </code>
          <CopyButton
            text={() => absoluteUrl(resumeUrl)}
            className="waiting-copy"
            testId={`waiting-copy-${nodeId}`}
          />
        </span>
      ) : null}
    </div>
  );
}
