import ipaddr from "ipaddr.js";

/**
 * Why an address may not be reached from a node, or `undefined` when it is a public unicast
 * address. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are
 * judged by the address they embed, or refused outright when it cannot be recovered.
 */
export function blockedAddressReason(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  } catch {
    return "not a valid IP address";
  }
  return parsed.kind() === "ipv4" ? ipv4Reason(parsed as ipaddr.IPv4) : ipv6Reason(parsed as ipaddr.IPv6);
}

const IPV4_LABELS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT address",
  private: "a private address",
  reserved: "a reserved address",
  as112: "a reserved (AS112) address",
  amt: "a reserved (AMT) address",
};

function ipv4Reason(ip: ipaddr.IPv4): string | undefined {
  if (ip.toString() === "169.254.169.254") return "a cloud metadata address";
  const range = ip.range();
  if (range === "unicast") return undefined;
  return IPV4_LABELS[range] ?? `a non-public address (${range})`;
}

const IPV6_LABELS: Record<string, string> = {
  unspecified: "an unspecified address",
  linkLocal: "a link-local address",
  multicast: "a multicast address",
  loopback: "a loopback address",
  uniqueLocal: "a unique-local (private) address",
  deprecatedSiteLocal: "a site-local address",
  discard: "a discard-only address",
  benchmarking: "a benchmarking address",
  reserved: "a reserved address",
};

function ipv6Reason(ip: ipaddr.IPv6): string | undefined {
  const normalized = ip.toNormalizedString();
  if (normalized === "fd00:ec2:0:0:0:0:0:254") return "a cloud metadata address";
  const embedded = embeddedIpv4(ip);
  if (embedded) {
    const inner = ipv4Reason(embedded);
    return inner ? `${inner} (embedded in IPv6 as ${embedded.toString()})` : undefined;
  }
  const range = ip.range();
  if (range === "unicast") return undefined;
  return IPV6_LABELS[range] ?? `a non-public address (${range})`;
}

/** The IPv4 address an IPv6 address carries: mapped, compatible, NAT64 (RFC 6052/8215), 6to4, Teredo. */
function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = ip.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = ip.range();
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") {
    return fromWords(p[6] ?? 0, p[7] ?? 0);
  }
  // IPv4-compatible ::a.b.c.d (deprecated); :: and ::1 are handled as themselves.
  if (p.slice(0, 6).every((w) => w === 0) && ((p[6] ?? 0) !== 0 || (p[7] ?? 0) > 1)) {
    return fromWords(p[6] ?? 0, p[7] ?? 0);
  }
  if (range === "6to4") return fromWords(p[1] ?? 0, p[2] ?? 0);
  if (range === "teredo") return fromWords(~(p[6] ?? 0) & 0xffff, ~(p[7] ?? 0) & 0xffff);
  return undefined;
}
