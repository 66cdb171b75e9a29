/** Dates as the reader's locale writes them; the API itself speaks ISO 8601 UTC. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatShape(shape: { width: number; height: number; channels: number }): string {
  return `${shape.width} × ${shape.height} × ${shape.channels}`;
}

export function describeChannels(channels: number): string {
  return channels === 1 ? 'greyscale' : 'colour';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How long ago, for ages that tick on screen: "4 s ago", "3 min 5 s ago", "2 h 10 min ago". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min ago`;
  return `${Math.floor(h / 24)} days ago`;
}

/** The first block of a UUID: enough to tell rows apart, with the whole id in a tooltip. */
export function shortId(id: string): string {
  return id.split('-')[0];
}

/** A share as a percentage: 0.9234 → "92.3 %". */
export function percent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

/** Durations to come or gone: "45 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} kB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** Counts with thousands separators in the reader's locale. */
export function count(n: number): string {
  return n.toLocaleString();
}
