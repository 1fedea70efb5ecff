import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** The parts of a chat completion request the fake server reads. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  response_format?: { type: string };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

export interface FailureSpec {
  status: number;
  message: string;
  /** How many requests in a row fail (default 1). */
  times?: number;
}

export interface OpenAiServer {
  /** Base URL ending in `/v1`, for the SDK's `baseURL`. */
  url: string;
  /** The key the server accepts as `Authorization: Bearer …`. */
  apiKey: string;
  /** Chat completion requests received (failed and aborted ones included). */
  readonly calls: number;
  /** Their bodies, in order. */
  readonly requests: ChatRequest[];
  /** Requests whose client went away before the answer was complete. */
  readonly aborted: number;
  failNext(failure: FailureSpec): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

function defaultReply(req: ChatRequest): string {
  const prompt = req.messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
  if (req.response_format?.type === "json_object") return JSON.stringify({ echo: prompt, model: req.model });
  return `echo: ${prompt}`;
}

/** Splits a reply into small pieces so a stream has several chunks. */
function pieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/**
 * A local OpenAI-compatible server on 127.0.0.1: `POST /v1/chat/completions`, streamed (SSE chunks,
 * a usage chunk, `[DONE]`) and not, with configurable latency, a delay between stream chunks,
 * injected failures with OpenAI-shaped error bodies, a Bearer key check and call counting.
 */
export async function startOpenAiServer(
  options: {
    apiKey?: string;
    latencyMs?: number;
    /** Delay between streamed chunks. */
    chunkDelayMs?: number;
    reply?: (req: ChatRequest) => string;
    failNext?: FailureSpec;
    /** Answer 400 to `max_tokens`, as OpenAI's reasoning models do. */
    rejectMaxTokens?: boolean;
    /** A fixed port (e2e: the app is started with it in OPENAI_BASE_URL); default any free port. */
    port?: number;
  } = {},
): Promise<OpenAiServer> {
  const apiKey = options.apiKey ?? `sk-test-${randomUUID()}`;
  let latencyMs = options.latencyMs ?? 0;
  const failures: FailureSpec[] = [];
  if (options.failNext) failures.push(options.failNext);
  const requests: ChatRequest[] = [];
  let calls = 0;
  let aborted = 0;

  const sendError = (
    res: http.ServerResponse,
    status: number,
    message: string,
    type: string,
    code: string | null,
  ) =>
    res
      .writeHead(status, { "content-type": "application/json" })
      .end(JSON.stringify({ error: { message, type, param: null, code } }));

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const path = (req.url ?? "").split("?")[0];
      if (req.method !== "POST" || path !== "/v1/chat/completions") {
        return sendError(
          res,
          404,
          `Unknown request URL: ${req.method} ${path}`,
          "invalid_request_error",
          null,
        );
      }
      calls++;
      let gone = false;
      res.on("close", () => {
        if (!res.writableFinished) {
          gone = true;
          aborted++;
        }
      });
      const auth = req.headers.authorization ?? "";
      if (auth !== `Bearer ${apiKey}`) {
        // Echoes the key it was given, as some providers do, so clients must scrub it.
        const given = auth.replace(/^Bearer\s+/i, "");
        return sendError(
          res,
          401,
          `Incorrect API key provided: ${given}`,
          "invalid_request_error",
          "invalid_api_key",
        );
      }
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequest;
      } catch {
        return sendError(
          res,
          400,
          "We could not parse the JSON body of your request.",
          "invalid_request_error",
          null,
        );
      }
      requests.push(body);
      if (options.rejectMaxTokens && body.max_tokens !== undefined) {
        const message =
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.";
        return sendError(res, 400, message, "invalid_request_error", "unsupported_parameter");
      }
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      if (gone) return;

      const failure = failures[0];
      if (failure) {
        failure.times = (failure.times ?? 1) - 1;
        if (failure.times <= 0) failures.shift();
        const type = failure.status === 429 ? "rate_limit_exceeded" : "server_error";
        return sendError(res, failure.status, failure.message, type, null);
      }

      const text = (options.reply ?? defaultReply)(body);
      const promptTokens = body.messages.reduce((n, m) => n + words(m.content), 0);
      const usage = { prompt_tokens: promptTokens, completion_tokens: words(text), total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);

      if (!body.stream) {
        const message = { role: "assistant", content: text, refusal: null };
        return res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            id,
            object: "chat.completion",
            created,
            model: body.model,
            choices: [{ index: 0, message, finish_reason: "stop", logprobs: null }],
            usage,
          }),
        );
      }

      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      const chunk = (delta: object, finish: string | null) => ({
        id,
        object: "chat.completion.chunk",
        created,
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
      send(chunk({ role: "assistant", content: "" }, null));
      for (const piece of pieces(text)) {
        if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
        if (gone) return;
        send(chunk({ content: piece }, null));
      }
      send(chunk({}, "stop"));
      if (body.stream_options?.include_usage) {
        send({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage });
      }
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    get calls() {
      return calls;
    },
    requests,
    get aborted() {
      return aborted;
    },
    failNext: (failure) => failures.push({ ...failure }),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
