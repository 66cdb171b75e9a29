import { signUrl, type UrlSignature } from '../auth/access';

/** Thumbnails are served over plain HTTP with signed URLs (see the signed-URL rules in auth/access.ts). */
export const THUMBS_PATH = '/files/thumbs';

/** What a thumbnail's URL signs. */
export const thumbSubject = (imageId: string) => `thumb:${imageId}`;

export function thumbUrl(imageId: string, s: Omit<UrlSignature, 'sig'>, key: string): string {
  return `${THUMBS_PATH}/${imageId}?t=${s.tokenId}&exp=${s.exp}&sig=${signUrl(thumbSubject(imageId), s.exp, key)}`;
}
