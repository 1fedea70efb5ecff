import "server-only";
import nodemailer from "nodemailer";
import type { EmailMessage, Mailer } from "@/lib/engine/ports";

const DEFAULT_FROM = "Braid <braid@localhost>";

/**
 * The email node's mailer: nodemailer over `smtpUrl` (e.g. `smtp://user:pass@host:587`,
 * `smtps://…`; a `from` query parameter sets the sender). Without a URL, `send` fails clearly.
 */
export function createMailer(smtpUrl: string | undefined): Mailer {
  if (!smtpUrl) {
    return {
      async send() {
        throw Object.assign(new Error("SMTP_URL is not configured: the email node cannot send"), {
          code: "smtp_not_configured",
        });
      },
    };
  }
  const from = fromOf(smtpUrl);
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message: EmailMessage, options?: { signal?: AbortSignal }) {
      const signal = options?.signal;
      signal?.throwIfAborted();
      const sending = transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      const info = signal ? await raceAbort(sending, signal) : await sending;
      return {
        messageId: String(info.messageId ?? ""),
        accepted: ((info.accepted ?? []) as Array<string | { address: string }>).map((a) =>
          typeof a === "string" ? a : a.address,
        ),
      };
    },
  };
}

function fromOf(smtpUrl: string): string {
  try {
    return new URL(smtpUrl).searchParams.get("from") ?? DEFAULT_FROM;
  } catch {
    return DEFAULT_FROM;
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
