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
 * Addresses a URL in a dataset must not reach: a server-side request forgery guard. BlockList
 * matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against the IPv4 subnets itself.
 */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

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
    throw new UrlFetchError('PRIVATE_ADDRESS', `${host} is a private or loopback address`);
  }
  return target;
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused) {
        const e = new UrlFetchError('PRIVATE_ADDRESS', `${hostname} resolves to ${refused.address}, a private address`);
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`) as NodeJS.ErrnoException, '', 0);
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
