import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Thumbnails are served over plain HTTP so that an <img> tag can show them, and an <img> tag
 * cannot send an Authorization header. Rather than accept the bearer token in the query string
 * (a long-lived secret in logs, history and Referer headers), the API hands out short-lived
 * signed URLs: HMAC-SHA256 of (image, expiry) keyed by the stored hash of the token that asked.
 * The hash never leaves the database, every server sharing it can verify, and revoking the token
 * (logging out) voids its URLs at once. Expiry is rounded to the hour so that a page's URLs stay
 * the same for an hour and the browser cache works. A Bearer header is accepted as well (curl).
 */

export const THUMBS_PATH = '/files/thumbs';
const HOUR = 3600;

export interface SignedThumb {
  imageId: string;
  tokenId: string;
  exp: number;
  sig: string;
}

export function thumbExpiry(nowMs = Date.now()): number {
  return (Math.ceil(nowMs / 1000 / HOUR) + 1) * HOUR;
}

export function signThumb(imageId: string, exp: number, key: string): string {
  return createHmac('sha256', key).update(`thumb:${imageId}:${exp}`).digest('base64url').slice(0, 32);
}

export function thumbUrl(imageId: string, tokenId: string, exp: number, key: string): string {
  return `${THUMBS_PATH}/${imageId}?t=${tokenId}&exp=${exp}&sig=${signThumb(imageId, exp, key)}`;
}

export function signatureValid(s: SignedThumb, key: string, nowMs = Date.now()): boolean {
  if (!(s.exp * 1000 > nowMs)) return false;
  const expected = Buffer.from(signThumb(s.imageId, s.exp, key));
  const given = Buffer.from(s.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
