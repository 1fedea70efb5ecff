/** One parsed SSE block: an event, or a comment (heartbeat). */
export interface SseFrame {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/**
 * Reads an SSE body frame by frame (tests and benchmarks); ends when the server closes the stream.
 * Cancelling the iteration cancels the body.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: SseFrame = {};
        for (const line of block.split("\n")) {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "") frame.comment = value;
          else if (field === "event" || field === "id") frame[field] = value;
          else if (field === "data")
            frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
        }
        yield frame;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
