/**
 * Where `?next=` may send the browser after logging in: a path of this origin, as the browser
 * itself resolves it, else `fallback`. Checking the string is not enough: browsers read `/\evil`
 * and `/<tab>/evil` as `//evil`, another host.
 */
export function sameOriginPath(next: string | null, origin: string, fallback: string): string {
  if (!next?.startsWith('/')) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  return url.origin === new URL(origin).origin ? url.pathname + url.search + url.hash : fallback;
}
