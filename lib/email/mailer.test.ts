import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer } from "./mailer";
import { startLocalSmtpServer } from "./testing/smtp-server";

let smtp: Awaited<ReturnType<typeof startLocalSmtpServer>>;
beforeAll(async () => {
  smtp = await startLocalSmtpServer();
});
afterAll(() => smtp.close());

describe("createMailer", () => {
  it("delivers a message to a real SMTP server", async () => {
    const mailer = createMailer(`${smtp.url}?from=${encodeURIComponent("Braid <bot@braid.test>")}`);
    const sent = await mailer.send({
      to: ["ada@example.com", "grace@example.com"],
      subject: "Hello there",
      text: "plain body",
      html: "<p>html body</p>",
    });
    expect(sent.accepted).toEqual(["ada@example.com", "grace@example.com"]);
    expect(sent.messageId).toMatch(/^<.+>$/);
    const mail = smtp.received.at(-1)!;
    expect(mail.from).toBe("bot@braid.test");
    expect(mail.to).toEqual(["ada@example.com", "grace@example.com"]);
    expect(mail.raw).toContain("Subject: Hello there");
    expect(mail.raw).toContain("plain body");
    expect(mail.raw).toContain("<p>html body</p>");
  });

  it("fails clearly without SMTP_URL", async () => {
    await expect(createMailer(undefined).send({ to: "a@b.c", subject: "s", text: "t" })).rejects.toThrow(
      "SMTP_URL is not configured",
    );
  });

  it("rejects when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      createMailer(smtp.url).send({ to: "a@b.c", subject: "s", text: "t" }, { signal: controller.signal }),
    ).rejects.toThrow("stop");
  });
});
