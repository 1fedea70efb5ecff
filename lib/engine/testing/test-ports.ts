import type { EmailMessage, EnginePorts, HttpClient, LlmClient, LlmRequest, Mailer } from "../ports";
import { createEventRecorder, type EventRecorder } from "./event-recorder";
import { createMemoryJournal, type MemoryJournal } from "./memory-journal";

/** Ports for engine tests: a memory journal, an event recorder and outside-world doubles. */
export interface TestPorts extends EnginePorts {
  journal: MemoryJournal;
  events: EventRecorder;
  sent: EmailMessage[];
  llmCalls: LlmRequest[];
}

const unreachableHttp: HttpClient = {
  async request() {
    throw new Error("no HTTP client in this test");
  },
};

/** An LLM double: echoes the prompt, streaming it word by word through `onPartial`. */
export function createEchoLlm(calls: LlmRequest[] = []): LlmClient {
  return {
    async complete(req, options) {
      calls.push(req);
      options?.signal?.throwIfAborted();
      const words = req.prompt.split(" ");
      let text = "";
      for (const w of words) {
        text += (text ? " " : "") + w;
        options?.onPartial?.(text);
      }
      const reply = `echo: ${req.prompt}`;
      return {
        text: reply,
        json: req.json ? { prompt: req.prompt } : undefined,
        model: req.model,
        usage: { promptTokens: words.length, completionTokens: words.length + 1 },
        cached: false,
      };
    },
  };
}

/** A mailer double that records messages. */
export function createRecordingMailer(sent: EmailMessage[] = []): Mailer {
  return {
    async send(message) {
      sent.push(message);
      const to = Array.isArray(message.to) ? message.to : [message.to];
      return { messageId: `<${sent.length}@test>`, accepted: to };
    },
  };
}

/** Builds test ports; any port can be overridden. */
export function createTestPorts(overrides: Partial<EnginePorts> = {}): TestPorts {
  const sent: EmailMessage[] = [];
  const llmCalls: LlmRequest[] = [];
  return {
    journal: createMemoryJournal(),
    events: createEventRecorder(),
    http: unreachableHttp,
    llm: createEchoLlm(llmCalls),
    mailer: createRecordingMailer(sent),
    sent,
    llmCalls,
    ...overrides,
  } as TestPorts;
}
