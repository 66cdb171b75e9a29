import { sameOriginPath } from './next-path';

/** Paths the server answers itself (the API, GraphiQL): the browser loads them. */
const SERVER_PATHS = /^\/(graphql|graphiql|healthz)\b/;

/** History-based navigation: the address bar is the state, and same-origin links skip the reload. */
export class Router {
  path = $state(location.pathname);
  search = $state(location.search);

  query = $derived(new URLSearchParams(this.search));

  constructor() {
    window.addEventListener('popstate', () => this.sync());
    document.addEventListener('click', (e) => this.intercept(e));
  }

  navigate(to: string, { replace = false } = {}): void {
    const url = new URL(to, location.href);
    // Logging in with ?next=/graphiql lands on a page outside the SPA.
    if (SERVER_PATHS.test(url.pathname)) return void location[replace ? 'replace' : 'assign'](url);
    if (url.pathname === this.path && url.search === this.search) return;
    history[replace ? 'replaceState' : 'pushState'](null, '', url);
    this.sync();
    if (!replace) window.scrollTo(0, 0);
  }

  /** The current address, for coming back after logging in. */
  get here(): string {
    return this.path + this.search;
  }

  /** Where `?next=` asks to go after logging in: a path on this site only, never another origin. */
  get next(): string {
    return sameOriginPath(this.query.get('next'), location.origin, '/models');
  }

  private sync(): void {
    this.path = location.pathname;
    this.search = location.search;
  }

  private intercept(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    // The server owns these paths; let the browser load them.
    if (SERVER_PATHS.test(a.pathname)) return;
    // In-page anchors (the skip link) scroll and focus natively.
    if (a.hash && a.pathname === location.pathname && a.search === location.search) return;
    e.preventDefault();
    this.navigate(a.pathname + a.search + a.hash);
  }
}

export const router = new Router();
