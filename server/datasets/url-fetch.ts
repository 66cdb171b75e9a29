import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { normaliseImage, type InputShape } from './normalise';

export interface UrlFetchOptions {
  /** Let URLs reach loopback and private networks (config `allowPrivateUrls`; tests need it). */
  allowPrivate: boolean;
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

export type UrlFetchProblem = 'INVALID_URL' | 'PRIVATE_ADDRESS' | 'TOO_LARGE' | 'TIMEOUT' | 'HTTP_STATUS' | 'NETWORK';

export class UrlFetchError extends Error {
  constructor(
    readonly problem: UrlFetchProblem,
    message: string,
  ) {
    super(message);
    this.name = 'UrlFetchError';
  }
}

export const DEFAULT_FETCH = { maxBytes: 32 << 20, timeoutMs: 20_000, maxRedirects: 5 };

/**
 * Addresses a fetched URL must not reach: a server-side request forgery guard. Every entry of
 * IANA's IPv4 and IPv6 Special-Purpose Address Registries (as of 2025), multicast, and every IPv6
 * form that embeds an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo), whatever
 * address it embeds: a public-looking IPv4 inside one may be translated to a private one on the way.
 * The table test: server/datasets/url-fetch.test.ts › "the guard blocks every special-purpose range".
 */
export const BLOCKED_RANGES: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // direct delegation AS112
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the limited broadcast 255.255.255.255
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
  ['::ffff:0:0', 96], // IPv4-mapped
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT)
  ['64:ff9b::', 96], // NAT64, well-known prefix
  ['64:ff9b:1::', 48], // NAT64, local-use
  ['100::', 64], // discard-only
  ['100:0:0:1::', 64], // dummy prefix
  ['2001::', 23], // IETF protocol assignments: Teredo 2001::/32, benchmarking, AMT, AS112, ORCHID, DET
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['2620:4f:8000::', 48], // direct delegation AS112
  ['3fff::', 20], // documentation
  ['5f00::', 16], // SRv6 SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
];
// One list per family: BlockList matches IPv4 addresses against IPv6 rules too (as ::ffff:a.b.c.d),
// which the IPv4-mapped range would turn into "every IPv4 address".
const BLOCKED = { 4: new BlockList(), 6: new BlockList() };
for (const [net, bits] of BLOCKED_RANGES) {
  const family = isIP(net) as 4 | 6;
  BLOCKED[family].addSubnet(net, bits, family === 4 ? 'ipv4' : 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? BLOCKED[4].check(address, 'ipv4') : BLOCKED[6].check(address, 'ipv6');
}

/**
 * One answer for a name that resolves to a refused address and for one that does not resolve at
 * all, naming neither the address nor the reason: otherwise the error would let a caller map the
 * server's internal DNS.
 */
const notAllowed = (host: string) =>
  new UrlFetchError('PRIVATE_ADDRESS', `${host} is not an address Percept may fetch from, or it does not resolve`);

/**
 * Fetches a URL's bytes: http and https only; private and loopback addresses refused unless
 * allowed; bounded in bytes and time. The address check runs inside the socket's DNS lookup, on
 * the very address it connects to, so a name that resolves differently a second time (DNS
 * rebinding) cannot slip past it. Redirects are followed by hand and checked the same way.
 */
export async function fetchUrl(
  url: string,
  opts: UrlFetchOptions,
): Promise<{ data: Buffer; contentType: string | null }> {
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  let current = url;
  for (let hop = 0; ; hop++) {
    const target = checkTarget(current, opts.allowPrivate);
    let res: IncomingMessage;
    try {
      res = await get(target, opts.allowPrivate, signal);
    } catch (e) {
      throw fetchFailure(e, deadline, opts.timeoutMs, target);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? DEFAULT_FETCH.maxRedirects)) {
        throw new UrlFetchError('HTTP_STATUS', `too many redirects from ${url}`);
      }
      current = new URL(res.headers.location, target).href;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw new UrlFetchError('HTTP_STATUS', `${target.host} answered HTTP ${status}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      res.destroy();
      throw new UrlFetchError('TOO_LARGE', `${declared} bytes; the limit is ${opts.maxBytes}`);
    }
    try {
      return { data: await readBody(res, opts.maxBytes), contentType: res.headers['content-type'] ?? null };
    } catch (e) {
      throw fetchFailure(e, deadline, opts.timeoutMs, target);
    }
  }
}

/** Fetches an image by URL and normalises it to the model's input shape (pixels are not kept). */
export async function fetchImagePixels(
  url: string,
  shape: InputShape,
  opts: UrlFetchOptions & { maxPixels: number },
): Promise<Buffer> {
  const { data } = await fetchUrl(url, opts);
  return normaliseImage(data, shape, opts.maxPixels);
}

function checkTarget(url: string, allowPrivate: boolean): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new UrlFetchError('INVALID_URL', `not a URL: ${url.slice(0, 200)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new UrlFetchError('INVALID_URL', `only http and https URLs can be fetched, not ${target.protocol}`);
  }
  // Literal addresses never go through a DNS lookup, so they are checked here.
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    throw notAllowed(host);
  }
  return target;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      const refused = err || (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address)));
      if (refused) return callback(notAllowed(hostname) as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(notAllowed(hostname) as NodeJS.ErrnoException, '', 0);
      callback(null, first.address, first.family);
    });
  };
}

function get(target: URL, allowPrivate: boolean, signal: AbortSignal): Promise<IncomingMessage> {
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'GET',
      signal,
      lookup: guardedLookup(allowPrivate),
      headers: { accept: 'image/*', 'user-agent': 'Percept' },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

async function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      res.destroy();
      throw new UrlFetchError('TOO_LARGE', `more than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

function fetchFailure(e: unknown, deadline: AbortSignal, timeoutMs: number, target: URL): Error {
  if (e instanceof UrlFetchError) return e;
  if (deadline.aborted) return new UrlFetchError('TIMEOUT', `${target.host} did not answer within ${timeoutMs} ms`);
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof UrlFetchError) return cause;
  if ((e as Error).name === 'AbortError') return e as Error;
  return new UrlFetchError('NETWORK', `${target.host}: ${(e as Error).message}`);
}
