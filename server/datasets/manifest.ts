import { isIP } from 'node:net';
import { extname } from 'node:path';
import { isPrivateAddress } from './url-fetch';
import { MAX_CLASS_NAME, className } from './layout';
import { SkipReason, type SkippedFile } from './import-report';

/** One labelled image referenced by URL. */
export interface ManifestEntry {
  url: string;
  label: string;
  /** Where it came from, for the report: `line 3` or `item 2`. */
  where: string;
}

export interface Manifest {
  entries: ManifestEntry[];
  skipped: SkippedFile[];
  /** Lines or items read, header and blanks excluded. */
  total: number;
}

/** Manifests are parsed in memory; this is about half a million lines. */
export const MANIFEST_MAX_BYTES = 64 << 20;

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export interface ManifestOptions {
  allowPrivate?: boolean;
  /** The uploaded file's name: `.tsv` means tab-separated, `.csv` comma-separated. */
  filename?: string;
}

/**
 * Parses a dataset manifest: CSV lines `url,label` (an optional `url,label` header; fields may be
 * quoted as in RFC 4180), the same separated by tabs (TSV), or JSON, an array of
 * `{ "url": …, "label": … }`. JSON is recognised by its first character.
 */
export function parseManifest(text: string, options: ManifestOptions = {}): Manifest {
  const body = text.replace(/^\uFEFF/, '');
  const trimmed = body.trimStart();
  const raw =
    trimmed.startsWith('[') || trimmed.startsWith('{')
      ? fromJson(trimmed)
      : fromLines(body, separatorOf(body, options.filename));
  const entries: ManifestEntry[] = [];
  const skipped: SkippedFile[] = [];
  for (const r of raw) {
    const problem = checkUrl(r.url, options.allowPrivate ?? false);
    if (problem) skipped.push({ path: r.where, reason: SkipReason.INVALID_URL, detail: problem });
    else if (!r.label.trim()) skipped.push({ path: r.where, reason: SkipReason.MISSING_LABEL, detail: 'no label' });
    else if (r.label.trim().length > MAX_CLASS_NAME) {
      skipped.push({
        path: r.where,
        reason: SkipReason.MISSING_LABEL,
        detail: `the label is over ${MAX_CLASS_NAME} characters`,
      });
    } else entries.push({ url: new URL(r.url.trim()).href, label: className(r.label), where: r.where });
  }
  return { entries, skipped, total: raw.length };
}

/**
 * Null when the URL is an absolute http(s) URL; otherwise what is wrong with it. A literal
 * private or loopback address (or localhost) is refused here already, so the report does not
 * count images that can never be fetched; names that resolve to such addresses are refused when
 * fetched (url-fetch.ts checks the resolved address).
 */
export function checkUrl(url: string, allowPrivate = false): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `not a URL: ${JSON.stringify(url.slice(0, 200))}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return `only http and https URLs (${parsed.protocol})`;
  if (parsed.username || parsed.password) return 'URLs with credentials are not accepted';
  // `localhost.` is `localhost`: a trailing dot only says the name is fully qualified.
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
  if (
    !allowPrivate &&
    (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) && isPrivateAddress(host)))
  ) {
    return `${parsed.hostname} is a private or loopback address; such URLs are refused`;
  }
  return null;
}

function fromJson(text: string): { url: string; label: string; where: string }[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`The manifest is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ManifestError('A JSON manifest is an array of { "url": …, "label": … }.');
  return parsed.map((item: unknown, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
    return { url: str(o.url), label: str(o.label), where: `item ${i + 1}` };
  });
}

/**
 * A tab when the name says `.tsv`, a comma when it says `.csv`; otherwise a tab when the first line
 * holds one (a URL cannot contain a raw tab, so a tab there separates fields), else a comma.
 */
function separatorOf(text: string, filename = ''): ',' | '\t' {
  const ext = extname(filename).toLowerCase();
  if (ext === '.tsv') return '\t';
  if (ext === '.csv') return ',';
  const first = text.split(/\r?\n/).find((line) => line.trim() && !line.trimStart().startsWith('#')) ?? '';
  return first.includes('\t') ? '\t' : ',';
}

function fromLines(text: string, separator: ',' | '\t'): { url: string; label: string; where: string }[] {
  const out: { url: string; label: string; where: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const fields = csvFields(line, separator);
    if (i === 0 && fields[0]?.trim().toLowerCase() === 'url') return;
    out.push({ url: fields[0] ?? '', label: fields.slice(1).join(separator).trim(), where: `line ${i + 1}` });
  });
  return out;
}

/** RFC 4180 fields of one line (quoted fields do not span lines in a manifest); `separator` a comma or tab. */
export function csvFields(line: string, separator = ','): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') break;
        else value += line[i++];
      }
      fields.push(value);
      i = line.indexOf(separator, i);
      if (i < 0) break;
      i++;
    } else {
      const end = line.indexOf(separator, i);
      fields.push(line.slice(i, end < 0 ? undefined : end));
      if (end < 0) break;
      i = end + 1;
    }
  }
  return fields;
}
