import type { WaitingInfo } from "@/lib/contract/events";

/*
 * What a waiting node shows (SPEC §4 ⁺ `waiting`): the builder's node card, the execution page's
 * canvas, details and waiting panel. Pure, so the server and the browser render the same text.
 */

/** A time left as "4m 12s", "12s", "1h 05m", "3d 4h"; "0s" once due. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Milliseconds until a waiting node's timer, or undefined when it has none (or a bad time). */
export function msUntil(info: WaitingInfo | undefined, now: number): number | undefined {
  if (!info?.until) return undefined;
  const at = Date.parse(info.until);
  return Number.isFinite(at) ? at - now : undefined;
}

/**
 * One line saying what a node waits for: "resumes in 4m 12s", "waiting for approval", "waiting
 * for a webhook", and its correlation key when it has one. A timeout on an approval or webhook
 * (its `until`) is told as "times out in …".
 */
export function waitingText(info: WaitingInfo, now: number): string {
  const left = msUntil(info, now);
  let text: string;
  switch (info.for) {
    case "time":
      text =
        left === undefined
          ? "waiting for its timer"
          : left > 0
            ? `resumes in ${formatCountdown(left)}`
            : "resuming…";
      break;
    case "approval":
      text = "waiting for approval";
      break;
    case "webhook":
      text = "waiting for a webhook";
      break;
    case "execution":
      text = "waiting for its child execution";
      break;
    case "items":
      text = "items are waiting";
      break;
    case "key":
      text = "waiting for its key";
      break;
    default:
      text = `waiting for ${info.for}`;
  }
  if (info.for !== "time" && left !== undefined)
    text += left > 0 ? ` · times out in ${formatCountdown(left)}` : " · timing out…";
  if (info.key !== undefined) text += ` · key ${info.key}`;
  return text;
}

/** Whether the line changes with the clock (a timer or a timeout to count down). */
export const ticks = (info: WaitingInfo | undefined): boolean => msUntil(info, 0) !== undefined;

/**
 * The token of a wait link (`…/approve/<token>` or `…/api/resume/<token>`, relative or absolute),
 * or undefined when the link has none.
 */
export function waitTokenOf(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url, "http://local.invalid").pathname;
  } catch {
    return undefined;
  }
  const match = /\/(?:approve|api\/resume)\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  return match?.[1];
}
