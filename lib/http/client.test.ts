import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "@/lib/env";
import { blockedAddressReason } from "./address-policy";
import { createHttpClient, createHttpClientFromEnv, HttpClientError, type Resolver } from "./client";

/** Counts every socket accepted on 127.0.0.1 (and ::1 when the host has IPv6 loopback). */
async function startCanary() {
  let accepted = 0;
  const servers: net.Server[] = [];
  const listen = (host: string, port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer((socket) => {
        accepted++;
        socket.destroy();
      });
      server.once("error", reject);
      server.listen(port, host, () => {
        servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen("127.0.0.1", 0);
  await listen("::1", port).catch(() => undefined);
  return {
    port,
    accepted: () => accepted,
    close: () => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))),
  };
}

function startHttp(handler: http.RequestListener) {
  return new Promise<{ port: number; close(): Promise<void> }>((resolve) => {
    const server = http.createServer(handler);
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}

async function errorOf(promise: Promise<unknown>): Promise<HttpClientError> {
  try {
    await promise;
  } catch (err) {
    return err as HttpClientError;
  }
  throw new Error("expected the request to fail");
}

describe("SSRF corpus", () => {
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let redirector: Awaited<ReturnType<typeof startHttp>>;

  beforeAll(async () => {
    canary = await startCanary();
    redirector = await startHttp((req, res) => {
      const target = new URL(req.url ?? "/", "http://x").searchParams.get("to") ?? "/";
      res.writeHead(302, { location: target }).end();
    });
  });
  afterAll(async () => {
    await canary.close();
    await redirector.close();
  });

  const fakeDns: Resolver = async (host) => {
    if (host === "rebind.example") return [{ address: "127.0.0.1", family: 4 }];
    if (host === "mixed.example") {
      return [
        { address: "93.184.216.34", family: 4 },
        { address: "127.0.0.1", family: 4 },
      ];
    }
    if (host === "v6.example") return [{ address: "::1", family: 6 }];
    if (host === "metadata.example") return [{ address: "169.254.169.254", family: 4 }];
    if (host === "mapped.example") return [{ address: "::ffff:127.0.0.1", family: 6 }];
    if (host.replace(/\.$/, "") === "localhost") return [{ address: "127.0.0.1", family: 4 }];
    throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  };

  const urls = (p: number) => [
    `http://127.0.0.1:${p}/`,
    `http://127.1:${p}/`,
    `http://0x7f.0.0.1:${p}/`,
    `http://0x7f000001:${p}/`,
    `http://2130706433:${p}/`,
    `http://017700000001:${p}/`,
    `http://0177.0.0.1:${p}/`,
    `http://127.000.000.001:${p}/`,
    `http://localhost:${p}/`,
    `http://LOCALHOST.:${p}/`,
    `http://[::1]:${p}/`,
    `http://[0:0:0:0:0:0:0:1]:${p}/`,
    `http://[::ffff:127.0.0.1]:${p}/`,
    `http://[::ffff:7f00:1]:${p}/`,
    `http://[::127.0.0.1]:${p}/`,
    `http://[64:ff9b::127.0.0.1]:${p}/`,
    `http://[2002:7f00:1::]:${p}/`,
    `http://0.0.0.0:${p}/`,
    `http://0:${p}/`,
    `http://[::]:${p}/`,
    `http://10.0.0.1:${p}/`,
    `http://172.16.5.4:${p}/`,
    `http://192.168.1.1:${p}/`,
    `http://100.64.0.1:${p}/`,
    `http://169.254.169.254/latest/meta-data/`,
    `http://[fd00:ec2::254]/latest/meta-data/`,
    `http://[fe80::1]:${p}/`,
    `http://[fc00::1]:${p}/`,
    `http://[ff02::1]:${p}/`,
    `http://224.0.0.1:${p}/`,
    `http://255.255.255.255:${p}/`,
    `http://rebind.example:${p}/`,
    `http://mixed.example:${p}/`,
    `http://v6.example:${p}/`,
    `http://metadata.example/`,
    `http://mapped.example:${p}/`,
    `file:///etc/passwd`,
    `gopher://127.0.0.1:${p}/_GET`,
    `ftp://127.0.0.1:${p}/`,
    `ws://127.0.0.1:${p}/`,
  ];

  it("refuses every address in the corpus with ssrf_blocked and no socket reaches the canary", async () => {
    const client = createHttpClient({ lookup: fakeDns, timeoutMs: 5_000 });
    for (const url of urls(canary.port)) {
      const err = await errorOf(client.request({ method: "GET", url }));
      expect(err, url).toBeInstanceOf(HttpClientError);
      expect(err.code, `${url}: ${err.message}`).toBe("ssrf_blocked");
      expect(err.message).toMatch(/^blocked: /);
    }
    expect(canary.accepted()).toBe(0);
  });

  it("refuses localhost through the system resolver too", async () => {
    const client = createHttpClient();
    for (const url of [`http://localhost:${canary.port}/`, `http://LocalHost:${canary.port}/`]) {
      expect((await errorOf(client.request({ method: "GET", url }))).code, url).toBe("ssrf_blocked");
    }
    expect(canary.accepted()).toBe(0);
  });

  it("resolves once per connection and connects to what it checked (DNS rebinding)", async () => {
    // A rebinding resolver: a public address for the check, loopback for anyone asking again.
    let calls = 0;
    const rebinding: Resolver = async () => {
      calls++;
      return [{ address: calls === 1 ? "192.0.43.8" : "127.0.0.1", family: 4 }];
    };
    const seen: string[] = [];
    const client = createHttpClient({
      timeoutMs: 1_000,
      lookup: async (host) => {
        const answer = await rebinding(host);
        seen.push(...answer.map((a) => a.address));
        return answer;
      },
    });
    const err = await errorOf(
      client.request({ method: "GET", url: `http://rebinding.example:${canary.port}/` }),
    );
    expect(["network", "timeout"]).toContain(err.code);
    expect(calls).toBe(1);
    expect(seen).toEqual(["192.0.43.8"]);
    // A second request resolves afresh, gets loopback, and is refused before connecting.
    const second = await errorOf(
      client.request({ method: "GET", url: `http://rebinding.example:${canary.port}/` }),
    );
    expect(second.code).toBe("ssrf_blocked");
    expect(canary.accepted()).toBe(0);
  });

  it("names the reason in the error", async () => {
    const client = createHttpClient({ lookup: fakeDns });
    const err = await errorOf(client.request({ method: "GET", url: `http://127.0.0.1:${canary.port}/` }));
    expect(err.message).toBe(
      "blocked: 127.0.0.1 is a loopback address; to allow it, add 127.0.0.1 to HTTP_ALLOWED_HOSTS or set HTTP_ALLOW_PRIVATE_NETWORK=true",
    );
    const meta = await errorOf(client.request({ method: "GET", url: "http://169.254.169.254/" }));
    expect(meta.message).toBe(
      "blocked: 169.254.169.254 is a cloud metadata address; to allow it, add 169.254.169.254 to HTTP_ALLOWED_HOSTS or set HTTP_ALLOW_PRIVATE_NETWORK=true",
    );
    const resolved = await errorOf(
      client.request({ method: "GET", url: `http://localhost:${canary.port}/` }),
    );
    expect(resolved.message).toMatch(
      /^blocked: localhost resolves to .*, a loopback address; to allow it, add localhost to HTTP_ALLOWED_HOSTS or set HTTP_ALLOW_PRIVATE_NETWORK=true$/,
    );
    expect(canary.accepted()).toBe(0);
  });

  it("re-checks every redirect hop: an allowed server cannot bounce a request to a private address", async () => {
    const client = createHttpClient({ lookup: fakeDns, allowedHosts: [`127.0.0.1:${redirector.port}`] });
    const targets = [
      `http://127.0.0.1:${canary.port}/`,
      `http://localhost:${canary.port}/`,
      `http://[::ffff:127.0.0.1]:${canary.port}/`,
      `http://rebind.example:${canary.port}/`,
      "http://169.254.169.254/latest/meta-data/",
      `file:///etc/passwd`,
    ];
    for (const to of targets) {
      const url = `http://127.0.0.1:${redirector.port}/?to=${encodeURIComponent(to)}`;
      const err = await errorOf(client.request({ method: "GET", url }));
      expect(err.code, `${to}: ${err.message}`).toBe("ssrf_blocked");
    }
    expect(canary.accepted()).toBe(0);
  });

  it("classifies addresses (table)", () => {
    const cases: [string, boolean][] = [
      ["8.8.8.8", false],
      ["93.184.216.34", false],
      ["2606:4700::1111", false],
      ["127.0.0.1", true],
      ["10.1.2.3", true],
      ["172.31.255.255", true],
      ["172.32.0.1", false],
      ["192.168.0.1", true],
      ["100.64.0.1", true],
      ["169.254.1.1", true],
      ["198.18.0.1", true],
      ["240.0.0.1", true],
      ["::1", true],
      ["::", true],
      ["fe80::1%eth0", true],
      ["fd12:3456::1", true],
      ["::ffff:10.0.0.1", true],
      ["::ffff:8.8.8.8", false],
      ["64:ff9b::10.0.0.1", true],
      ["64:ff9b::8.8.8.8", false],
      ["64:ff9b:1::a00:1", true],
      ["2002:c0a8:101::", true],
      ["2001:0:4136:e378:8000:63bf:80ff:fffe", true],
      ["not-an-ip", true],
    ];
    for (const [address, blocked] of cases) {
      expect(blockedAddressReason(address) !== undefined, address).toBe(blocked);
    }
  });
});

describe("HTTP client behaviour", () => {
  let server: Awaited<ReturnType<typeof startHttp>>;
  let hits = 0;

  beforeAll(async () => {
    server = await startHttp((req, res) => {
      hits++;
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/json") {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", () => {
          res.writeHead(200, { "content-type": "application/json; charset=utf-8", "x-a": "1" });
          res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
        });
        return;
      }
      if (url.pathname === "/big") {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = "x".repeat(64 * 1024);
        for (let i = 0; i < 40; i++) res.write(chunk);
        res.end();
        return;
      }
      if (url.pathname === "/loop") {
        res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get("n") ?? 0) + 1}` }).end();
        return;
      }
      if (url.pathname === "/see-other") {
        res.writeHead(303, { location: "/json" }).end();
        return;
      }
      if (url.pathname === "/slow") {
        setTimeout(() => res.end("late"), 5_000).unref();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("hello");
    });
  });
  afterAll(() => server.close());

  it("is blocked by default and lets a local request through with allowPrivateNetwork", async () => {
    const before = hits;
    const guarded = createHttpClient();
    expect(
      (await errorOf(guarded.request({ method: "GET", url: `http://127.0.0.1:${server.port}/` }))).code,
    ).toBe("ssrf_blocked");
    expect(hits).toBe(before);
    const open = createHttpClient({ allowPrivateNetwork: true });
    const res = await open.request({ method: "GET", url: `http://127.0.0.1:${server.port}/` });
    expect(res).toMatchObject({ status: 200, body: "hello", url: `http://127.0.0.1:${server.port}/` });
    expect(hits).toBe(before + 1);
  });

  it("allowedHosts admits exactly the listed host:port", async () => {
    const client = createHttpClient({ allowedHosts: [`127.0.0.1:${server.port}`] });
    const res = await client.request({
      method: "POST",
      url: `http://127.0.0.1:${server.port}/json`,
      body: { a: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ method: "POST", body: '{"a":1}', auth: null });
    expect(res.headers["x-a"]).toBe("1");
    const other = createHttpClient({ allowedHosts: [`127.0.0.1:${server.port + 1}`] });
    expect(
      (await errorOf(other.request({ method: "GET", url: `http://127.0.0.1:${server.port}/` }))).code,
    ).toBe("ssrf_blocked");
  });

  it("caps the response body while streaming", async () => {
    const client = createHttpClient({ allowPrivateNetwork: true, maxResponseBytes: 1024 * 1024 });
    const err = await errorOf(client.request({ method: "GET", url: `http://127.0.0.1:${server.port}/big` }));
    expect(err.code).toBe("response_too_large");
    const roomy = createHttpClient({ allowPrivateNetwork: true, maxResponseBytes: 4 * 1024 * 1024 });
    const res = await roomy.request({ method: "GET", url: `http://127.0.0.1:${server.port}/big` });
    expect((res.body as string).length).toBe(40 * 64 * 1024);
  });

  it("stops after maxRedirects", async () => {
    const client = createHttpClient({ allowPrivateNetwork: true, maxRedirects: 3 });
    const err = await errorOf(client.request({ method: "GET", url: `http://127.0.0.1:${server.port}/loop` }));
    expect(err.code).toBe("too_many_redirects");
    expect(err.message).toContain("more than 3 redirects");
  });

  it("turns a POST into a GET on 303 and reports the final URL", async () => {
    const client = createHttpClient({ allowPrivateNetwork: true });
    const res = await client.request({
      method: "POST",
      url: `http://127.0.0.1:${server.port}/see-other`,
      body: "payload",
      headers: { authorization: "Bearer same-origin" },
    });
    expect(res.body).toEqual({ method: "GET", body: "", auth: "Bearer same-origin" });
    expect(res.url).toBe(`http://127.0.0.1:${server.port}/json`);
  });

  it("times out with code timeout", async () => {
    const client = createHttpClient({ allowPrivateNetwork: true });
    const err = await errorOf(
      client.request({ method: "GET", url: `http://127.0.0.1:${server.port}/slow`, timeoutMs: 200 }),
    );
    expect(err.code).toBe("timeout");
  });

  it("reads HTTP_ALLOWED_HOSTS and HTTP_ALLOW_PRIVATE_NETWORK from the environment", async () => {
    const saved = { ...process.env };
    try {
      process.env.HTTP_ALLOWED_HOSTS = ` other.example , 127.0.0.1:${server.port} `;
      resetEnv();
      const allowed = await createHttpClientFromEnv().request({
        method: "GET",
        url: `http://127.0.0.1:${server.port}/`,
      });
      expect(allowed.body).toBe("hello");
      process.env.HTTP_ALLOWED_HOSTS = "";
      resetEnv();
      const refused = await errorOf(
        createHttpClientFromEnv().request({ method: "GET", url: `http://127.0.0.1:${server.port}/` }),
      );
      expect(refused.code).toBe("ssrf_blocked");
      process.env.HTTP_ALLOW_PRIVATE_NETWORK = "true";
      resetEnv();
      const open = await createHttpClientFromEnv().request({
        method: "GET",
        url: `http://127.0.0.1:${server.port}/`,
      });
      expect(open.status).toBe(200);
    } finally {
      process.env = saved;
      resetEnv();
    }
  });

  it("rejects a malformed URL with invalid_url", async () => {
    const err = await errorOf(
      createHttpClient().request({ method: "GET", url: "http://exa mple.com:99999/" }),
    );
    expect(err.code).toBe("invalid_url");
  });
});
