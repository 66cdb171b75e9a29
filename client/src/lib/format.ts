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
