import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A span as received, flattened: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  startNs: bigint;
  endNs: bigint;
}

/** A local OTLP/HTTP trace receiver (protobuf and JSON encodings): `POST /v1/traces`. */
export interface OtlpReceiver {
  /** The base URL to set as `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  readonly spans: ReceivedSpan[];
  /** Export requests received. */
  readonly requests: number;
  /** Export requests by content type (`application/x-protobuf`, `application/json`). */
  readonly encodings: Record<string, number>;
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

function plainValue(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plainValue);
  return undefined;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: { key: string; value: AnyValue }[];
  status?: { code?: number; message?: string };
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
}

/** A protobuf reader for the OTLP messages the receiver decodes (wire format only, no schema library). */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done() {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new Error("truncated varint");
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  }
  /** The next field: its number, and its value (a varint, 8 bytes of fixed64, or the bytes of a length-delimited one). */
  field(): { no: number; varint?: bigint; fixed64?: Buffer; bytes?: Buffer } {
    const tag = Number(this.varint());
    const no = tag >>> 3;
    switch (tag & 7) {
      case 0:
        return { no, varint: this.varint() };
      case 1:
        this.pos += 8;
        return { no, fixed64: this.buf.subarray(this.pos - 8, this.pos) };
      case 2: {
        const len = Number(this.varint());
        this.pos += len;
        return { no, bytes: this.buf.subarray(this.pos - len, this.pos) };
      }
      case 5:
        this.pos += 4;
        return { no };
      default:
        throw new Error(`unsupported wire type ${tag & 7}`);
    }
  }
  static *fields(buf: Buffer) {
    const r = new Reader(buf);
    while (!r.done) yield r.field();
  }
}

/** An AnyValue (opentelemetry/proto/common/v1): string 1, bool 2, int 3, double 4, array 5. */
function protoValue(buf: Buffer): unknown {
  for (const f of Reader.fields(buf)) {
    if (f.no === 1 && f.bytes) return f.bytes.toString("utf8");
    if (f.no === 2 && f.varint !== undefined) return f.varint !== 0n;
    if (f.no === 3 && f.varint !== undefined) return Number(BigInt.asIntN(64, f.varint));
    if (f.no === 4 && f.fixed64) return f.fixed64.readDoubleLE(0);
    if (f.no === 5 && f.bytes)
      return [...Reader.fields(f.bytes)]
        .filter((v) => v.no === 1 && v.bytes)
        .map((v) => protoValue(v.bytes!));
  }
  return undefined;
}

/** A Span (opentelemetry/proto/trace/v1/trace.proto), flattened. */
function protoSpan(buf: Buffer): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: "",
    spanId: "",
    parentSpanId: "",
    name: "",
    kind: 0,
    attributes: {},
    status: {},
    startNs: 0n,
    endNs: 0n,
  };
  for (const f of Reader.fields(buf)) {
    if (f.no === 1 && f.bytes) span.traceId = f.bytes.toString("hex");
    else if (f.no === 2 && f.bytes) span.spanId = f.bytes.toString("hex");
    else if (f.no === 4 && f.bytes) span.parentSpanId = f.bytes.toString("hex");
    else if (f.no === 5 && f.bytes) span.name = f.bytes.toString("utf8");
    else if (f.no === 6 && f.varint !== undefined) span.kind = Number(f.varint);
    else if (f.no === 7 && f.fixed64) span.startNs = f.fixed64.readBigUInt64LE(0);
    else if (f.no === 8 && f.fixed64) span.endNs = f.fixed64.readBigUInt64LE(0);
    else if (f.no === 9 && f.bytes) {
      let key = "";
      let value: unknown;
      for (const kv of Reader.fields(f.bytes)) {
        if (kv.no === 1 && kv.bytes) key = kv.bytes.toString("utf8");
        if (kv.no === 2 && kv.bytes) value = protoValue(kv.bytes);
      }
      span.attributes[key] = value;
    } else if (f.no === 15 && f.bytes) {
      for (const st of Reader.fields(f.bytes)) {
        if (st.no === 2 && st.bytes) span.status.message = st.bytes.toString("utf8");
        if (st.no === 3 && st.varint !== undefined) span.status.code = Number(st.varint);
      }
    }
  }
  return span;
}

/** The spans of an ExportTraceServiceRequest: resource_spans 1 → scope_spans 2 → spans 2. */
function protoSpans(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of Reader.fields(body)) {
    if (rs.no !== 1 || !rs.bytes) continue;
    for (const ss of Reader.fields(rs.bytes)) {
      if (ss.no !== 2 || !ss.bytes) continue;
      for (const sp of Reader.fields(ss.bytes)) if (sp.no === 2 && sp.bytes) spans.push(protoSpan(sp.bytes));
    }
  }
  return spans;
}

/** The spans of a JSON export request. */
function jsonSpans(body: Buffer): ReceivedSpan[] {
  const parsed = JSON.parse(body.toString("utf8")) as {
    resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const rs of parsed.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? "",
          name: s.name,
          kind: s.kind ?? 0,
          attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, plainValue(a.value)])),
          status: s.status ?? {},
          startNs: BigInt(s.startTimeUnixNano ?? 0),
          endNs: BigInt(s.endTimeUnixNano ?? 0),
        });
  return spans;
}

/**
 * Starts the receiver on 127.0.0.1, port 0. It answers other content types on `/v1/traces` with
 * 415; `encodings` counts the requests by content type.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const encodings: Record<string, number> = {};
  let requests = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      const decode =
        type === "application/x-protobuf" ? protoSpans : type === "application/json" ? jsonSpans : undefined;
      if (!decode) {
        res.writeHead(415).end();
        return;
      }
      requests++;
      encodings[type] = (encodings[type] ?? 0) + 1;
      spans.push(...decode(Buffer.concat(chunks)));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    get requests() {
      return requests;
    },
    encodings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
