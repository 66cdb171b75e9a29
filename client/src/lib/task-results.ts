/** The JSON that import and classify-batch tasks report as progress and result, read defensively. */

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export interface ImportProgress {
  filesTotal: number | null;
  filesSeen: number;
  imported: number;
  skipped: number;
  imagesPerSecond: number | null;
}

export function importProgress(progress: unknown): ImportProgress {
  const p = record(progress);
  return {
    // The last report ("done") leaves the total out: it is what was read.
    filesTotal: num(p.filesTotal) ?? (p.phase === 'done' ? num(p.filesSeen) : null),
    filesSeen: num(p.filesSeen) ?? 0,
    imported: num(p.imported) ?? 0,
    skipped: num(p.skipped) ?? 0,
    imagesPerSecond: num(p.imagesPerSecond),
  };
}

export interface BatchProgress {
  done: number;
  total: number | null;
  imagesPerSecond: number | null;
}

export function batchProgress(progress: unknown): BatchProgress {
  const p = record(progress);
  return { done: num(p.done) ?? 0, total: num(p.total), imagesPerSecond: num(p.imagesPerSecond) };
}

export interface BatchItem {
  name: string;
  predictions: { className: string; probability: number }[];
  error: string | null;
}

export interface BatchResult {
  count: number;
  classified: number;
  failed: number;
  items: BatchItem[];
}

export function batchResult(result: unknown): BatchResult | null {
  const r = record(result);
  if (!Array.isArray(r.results)) return null;
  const items = r.results.map((raw): BatchItem => {
    const item = record(raw);
    const predictions = Array.isArray(item.predictions)
      ? item.predictions.map((p) => {
          const pr = record(p);
          return { className: String(pr.className ?? ''), probability: num(pr.probability) ?? 0 };
        })
      : [];
    return { name: String(item.name ?? ''), predictions, error: typeof item.error === 'string' ? item.error : null };
  });
  return {
    count: num(r.count) ?? items.length,
    classified: num(r.classified) ?? items.filter((i) => !i.error).length,
    failed: num(r.failed) ?? items.filter((i) => i.error).length,
    items,
  };
}

/** One line per file: its name, then each class with its probability (most probable first), or why it was skipped. */
export function batchCsv(items: BatchItem[]): string {
  const k = Math.max(1, ...items.map((i) => i.predictions.length));
  const header = ['file'];
  for (let i = 1; i <= k; i++) header.push(`class_${i}`, `probability_${i}`);
  header.push('error');
  const lines = [header];
  for (const item of items) {
    const row = [item.name];
    for (let i = 0; i < k; i++) {
      const p = item.predictions[i];
      row.push(p?.className ?? '', p ? p.probability.toFixed(6) : '');
    }
    row.push(item.error ?? '');
    lines.push(row);
  }
  return lines.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
