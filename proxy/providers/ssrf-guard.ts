/**
 * The SSRF guard for provider base URLs a tenant sets over the admin API. A tenant admin is not
 * the operator: their URL must not reach the gateway's own network (loopback, private ranges,
 * link-local and cloud metadata, CGNAT). Checking the URL's text is not enough — `127.1`,
 * `0177.0.0.1`, `2130706433` and `[::ffff:127.0.0.1]` all mean loopback, and a public-looking
 * hostname can resolve to 127.0.0.1 (or change its answer after the check, DNS rebinding) — so
 * the check runs on the address actually connected to: IP literals before the socket opens,
 * hostnames in the socket's DNS lookup. Redirects are never followed (undici does not follow
 * them on a Pool), so a 302 to an internal address goes nowhere.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { buildConnector } from 'undici';
import { GatewayError } from '../errors/gateway-error.js';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local (includes AWS's fd00:ec2::254 metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address embeds (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(ipv6: string): string | undefined {
  const groups = expandIpv6(ipv6);
  if (!groups) return undefined;
  const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === 0);
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64)
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return v4(groups[1]!, groups[2]!); // 6to4
  return undefined;
}

function expandIpv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  // A trailing dotted quad becomes two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const parts = tail.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(fill, 0)).fill('0'), ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Why connecting to this IP address is refused, or null when it is a public address. */
export function forbiddenAddressReason(address: string): string | null {
  const ip = unbracket(address);
  const family = isIP(ip);
  if (family === 0) return 'is not an IP address';
  if (family === 4) return blocked.check(ip, 'ipv4') ? 'is a loopback, private, link-local, CGNAT or reserved address' : null;
  if (blocked.check(ip, 'ipv6')) return 'is a loopback, private, link-local or reserved address';
  const v4 = embeddedIpv4(ip);
  if (v4 !== undefined && blocked.check(v4, 'ipv4')) return 'embeds a loopback, private, link-local, CGNAT or reserved address';
  return null;
}

/**
 * Why a base URL's host is refused before any lookup, or null. The WHATWG parser has already
 * normalised every IPv4 spelling (`127.1`, `0177.0.0.1`, `0x7f.1`, `2130706433`) to dotted
 * decimal, so literal addresses are checked here; names are checked again at connect time.
 */
export function forbiddenHostReason(url: URL): string | null {
  const host = unbracket(url.hostname);
  if (isIP(host) !== 0) return forbiddenAddressReason(host);
  return isLoopbackName(host) ? 'is a loopback name' : null;
}

/** `[::1]` → `::1`: URL hostnames keep IPv6 brackets, addresses do not. */
function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function isLoopbackName(host: string): boolean {
  const name = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost');
}

function refused(): GatewayError {
  // Neither the host nor what it resolved to: inside a private network, DNS answers are
  // themselves internal information.
  return new GatewayError('upstream_error', 'The provider base URL points at an internal address; the SSRF guard refused to connect.');
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for net/tls.connect that fails when any resolved address is forbidden. */
export function guardedLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const { address } of addresses) {
      if (forbiddenAddressReason(address) !== null) return callback(refused() as unknown as NodeJS.ErrnoException, []);
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}

/** An undici connector that refuses forbidden addresses: literals before connecting, names at lookup. */
export function guardedConnector(options: { timeout: number }): buildConnector.connector {
  const connect = buildConnector({ timeout: options.timeout, lookup: guardedLookup } as buildConnector.BuildOptions);
  return (opts, callback) => {
    const reason = forbiddenHostReason(new URL(`${opts.protocol}//${opts.host}`));
    if (reason !== null) {
      callback(refused(), null);
      return;
    }
    connect(opts, callback);
  };
}
