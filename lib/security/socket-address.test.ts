import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { SOCKET_ADDRESS_HEADER, socketAddressesStamped, stampSocketAddresses } from "./socket-address";

describe("stampSocketAddresses", () => {
  it("replaces a client's own value of the header with the real socket address", async () => {
    stampSocketAddresses();
    expect(socketAddressesStamped()).toBe(true);
    const server = http.createServer((req, res) => res.end(String(req.headers[SOCKET_ADDRESS_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { [SOCKET_ADDRESS_HEADER]: "6.6.6.6" },
      });
      expect(await res.text()).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
