import { signUrl, type UrlSignature } from '../auth/access';

/** Exports are downloaded over plain HTTP with signed URLs (see the signed-URL rules in auth/access.ts). */
export const EXPORTS_PATH = '/files/exports';

/** What an export's URL signs. */
export const exportSubject = (modelId: string, exportId: string) => `export:${modelId}:${exportId}`;

export function exportUrl(modelId: string, exportId: string, s: Omit<UrlSignature, 'sig'>, key: string): string {
  const sig = signUrl(exportSubject(modelId, exportId), s.exp, key);
  return `${EXPORTS_PATH}/${modelId}/${exportId}?t=${s.tokenId}&exp=${s.exp}&sig=${sig}`;
}
