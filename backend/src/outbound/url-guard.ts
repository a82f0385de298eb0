import { promises as dns } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import type { OutboundConfig } from "../config";

export type LookupAll = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export type OutboundUrlErrorReason = "scheme" | "malformed" | "credentials" | "private_address" | "unresolvable" | "too_many_redirects";

/** A URL Tracira refuses to call. Always permanent: retrying cannot change the answer. */
export class OutboundUrlError extends Error {
  constructor(
    message: string,
    readonly reason: OutboundUrlErrorReason,
  ) {
    super(message);
    this.name = "OutboundUrlError";
  }
}

const WRITE_TIME_DNS_TIMEOUT_MS = 3_000;
const HOW_TO_ALLOW = "Tracira only calls public addresses. Self-hosters can allow it with TRACIRA_ALLOW_PRIVATE_URLS.";

const BLOCKED = new BlockList();
for (const cidr of [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10", // CGNAT; includes Alibaba's metadata service 100.100.100.200
  "127.0.0.0/8",
  "169.254.0.0/16", // link-local; includes the cloud metadata service 169.254.169.254
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "255.255.255.255/32",
  "::/128",
  "::1/128",
  "64:ff9b:1::/48", // local-use NAT64 (RFC 8215): the v4 inside is not at a fixed place, so refuse all of it
  "100::/64",
  "2001:db8::/32",
  "fc00::/7", // unique local; includes AWS's metadata service fd00:ec2::254
  "fe80::/10",
  "fec0::/10", // deprecated site-local, still routed by some networks
  "ff00::/8",
]) {
  addCidr(BLOCKED, cidr);
}

function addCidr(list: BlockList, cidr: string): void {
  const [network = "", prefixText = ""] = cidr.split("/");
  const family = isIP(network);
  const prefix = Number(prefixText);
  if (!family || !/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`TRACIRA_ALLOW_PRIVATE_URLS: "${cidr}" is not a CIDR range such as 10.1.0.0/16 or fd00::/8`);
  }
  list.addSubnet(network, prefix, family === 4 ? "ipv4" : "ipv6");
}

const defaultLookupAll: LookupAll = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Decides which URLs and addresses Tracira may call under the TRACIRA_ALLOW_PRIVATE_URLS policy. */
export class UrlGuard {
  private readonly allowed = new BlockList();

  constructor(
    private readonly policy: OutboundConfig,
    private readonly lookupAll: LookupAll = defaultLookupAll,
  ) {
    for (const cidr of policy.allowedCidrs) addCidr(this.allowed, cidr);
  }

  /** true when the address may be reached under the policy. Handles IPv4, IPv6 and IPv6 forms that embed an IPv4 address. */
  isAllowedAddress(ip: string): boolean {
    if (this.policy.allowPrivate) return true;
    const address = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    const family = isIP(address);
    if (family === 4) return !BLOCKED.check(address, "ipv4") || this.allowed.check(address, "ipv4");
    if (family !== 6) return false;
    const v4 = embeddedIpv4(address);
    const blocked = BLOCKED.check(address, "ipv6") || (v4 !== undefined && BLOCKED.check(v4, "ipv4"));
    const excepted = this.allowed.check(address, "ipv6") || (v4 !== undefined && this.allowed.check(v4, "ipv4"));
    return !blocked || excepted;
  }

  /**
   * The checks that need no DNS: parses the URL, requires http/https without user:password@,
   * refuses localhost names and blocked IP-literal hosts. Returns the parsed URL.
   */
  parse(url: string, field: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundUrlError(`${field} is not a valid URL.`, "malformed");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new OutboundUrlError(`${field} must start with http:// or https:// (it starts with ${parsed.protocol}//).`, "scheme");
    }
    if (parsed.username || parsed.password) {
      throw new OutboundUrlError(
        `${field} contains a user name or password (user:password@…); remove it — Tracira does not send credentials inside URLs.`,
        "credentials",
      );
    }
    const host = hostOf(parsed);
    if (!this.policy.allowPrivate && isLocalhostName(host)) {
      throw new OutboundUrlError(`${field} points to localhost, the machine Tracira runs on; ${HOW_TO_ALLOW}`, "private_address");
    }
    // WHATWG URL has already turned 2130706433, 0x7f.1 and 127.1 into 127.0.0.1.
    if (isIP(host) && !this.isAllowedAddress(host)) {
      throw new OutboundUrlError(`${field} points to a private network address (${host}); ${HOW_TO_ALLOW}`, "private_address");
    }
    return parsed;
  }

  /**
   * Write-time check of a URL a user stores (callback, hook, settings or attachment URL).
   * A hostname is resolved and EVERY address it resolves to must be allowed.
   *
   * A hostname that does not resolve now (NXDOMAIN, DNS failure or no answer within 3 s) is
   * accepted: DNS may be down or not yet propagated, and every request is checked again at
   * send time through `lookup`, which is the check that actually protects the network.
   */
  async check(url: string, field: string): Promise<void> {
    const parsed = this.parse(url, field);
    const host = hostOf(parsed);
    if (this.policy.allowPrivate || isIP(host)) return;
    const addresses = await withTimeout(this.lookupAll(host), WRITE_TIME_DNS_TIMEOUT_MS).catch(() => undefined);
    if (addresses?.some((a) => !this.isAllowedAddress(a.address))) {
      // The resolved address is left out of the message: it would reveal the internal DNS to whoever asks.
      throw new OutboundUrlError(`${field} host ${host} resolves to a private network address; ${HOW_TO_ALLOW}`, "private_address");
    }
  }

  /**
   * A `lookup` for node:http/https request options. The address checked is the address connected
   * to, so a name that resolves to a public address when stored and to a private one when
   * called (DNS rebinding) is still refused. DNS failures are passed on unchanged (retryable).
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolveAllowed(hostname).then(
      (all) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const usable = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        const first = usable[0];
        if (!first) {
          callback(new OutboundUrlError(`${hostname} has no IPv${family} address.`, "unresolvable"), "", 0);
        } else if (options.all) {
          callback(null, usable);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };

  private async resolveAllowed(hostname: string): Promise<{ address: string; family: 4 | 6 }[]> {
    const host = hostname.replace(/^\[|\]$/g, "");
    if (!this.policy.allowPrivate && isLocalhostName(host)) {
      throw new OutboundUrlError(`${host} is this machine; ${HOW_TO_ALLOW}`, "private_address");
    }
    const all = await this.lookupAll(host);
    if (all.length === 0) throw new OutboundUrlError(`${host} does not resolve to any address.`, "unresolvable");
    if (all.some((a) => !this.isAllowedAddress(a.address))) {
      throw new OutboundUrlError(`${host} resolves to a private network address; ${HOW_TO_ALLOW}`, "private_address");
    }
    return all;
  }
}

/** The URL's host without the [] around IPv6 literals. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no DNS answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The IPv4 address inside IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses. */
function embeddedIpv4(ipv6: string): string | undefined {
  const g = ipv6Groups(ipv6);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const dotted = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const [g0 = 0, g1 = 0, g2 = 0, , , , g6 = 0, g7 = 0] = g;
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return dotted(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && zeros(2, 6)) return dotted(g6, g7);
  if (g0 === 0x2002) return dotted(g1, g2);
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address (with or without a dotted IPv4 tail). */
function ipv6Groups(ipv6: string): number[] {
  let text = ipv6.toLowerCase();
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".")) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split(".").map(Number);
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const middle = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].map((x) => parseInt(x, 16));
}
