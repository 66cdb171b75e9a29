import type { NextFunction, Request, Response } from 'express';

/**
 * What helmet would send, written out (eight headers need no dependency): on every answer —
 * pages, assets, the API, thumbnails, the health probe.
 *
 * - CSP: scripts only from this origin, no inline or eval'd script, so an injected `<script>` or
 *   `onerror=` does not run; inline *styles* stay allowed (Svelte's and GraphiQL's style attributes),
 *   which cannot run code. `connect-src 'self'` covers graphql-ws on the same host. Images may be
 *   `data:` (the favicon) and `blob:` (previews of a file the user picked).
 * - `frame-ancestors 'none'` (and X-Frame-Options for older browsers): no clickjacking in a frame.
 * - `nosniff`: an uploaded file served back is never run as script or style.
 * - `no-referrer`: signed thumbnail URLs and task ids never leave in a Referer header.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  next();
}

/** Source maps would publish the client's source; the build makes none, and old ones are not served. */
export function noSourceMaps(req: Request, res: Response, next: NextFunction): void {
  if (req.path.endsWith('.map')) res.status(404).end();
  else next();
}
