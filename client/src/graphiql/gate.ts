import { endpoint } from '../lib/endpoint';
import { SESSION_KEY } from '../lib/session-store';

export type Refusal =
  | { kind: 'signed-out' }
  | { kind: 'expired' }
  | { kind: 'unreachable' }
  | { kind: 'not-admin'; email: string; authorization: string };

const LOG_IN = `/login?next=${encodeURIComponent('/graphiql')}`;

/** What a visitor who may not use GraphiQL sees instead: plain DOM, nothing of React. */
export function showGate(target: HTMLElement, refusal: Refusal): void {
  const page = el('main', { className: 'gate' });
  const heading = el('h1', { tabIndex: -1 }, 'Admins only');
  page.append(heading, ...explain(refusal));
  target.replaceChildren(page);
  document.title = 'Admins only · Percept';
  heading.focus();
}

function explain(refusal: Refusal): HTMLElement[] {
  const intro = el('p', {}, 'GraphiQL sends queries to Percept as a signed-in admin.');
  const home = el('a', { href: '/' }, 'Back to Percept');
  switch (refusal.kind) {
    case 'signed-out':
      return [intro, actions(el('a', { href: LOG_IN, className: 'button' }, 'Log in'), home)];
    case 'expired':
      return [
        intro,
        el('p', {}, 'Your session has ended. Log in again.'),
        actions(el('a', { href: LOG_IN, className: 'button' }, 'Log in'), home),
      ];
    case 'unreachable':
      return [
        el('p', {}, 'Percept did not answer. Check that the server is running, then reload this page.'),
        actions(home),
      ];
    case 'not-admin': {
      const who = el('p', {}, 'You are signed in as ', el('strong', {}, refusal.email), ', who is not an admin.');
      const relog = el('a', { href: LOG_IN, className: 'button' }, 'Log out and log in as an admin');
      relog.addEventListener('click', (e) => {
        e.preventDefault();
        void logOut(refusal.authorization).then(() => location.assign(LOG_IN));
      });
      return [intro, who, actions(relog, home)];
    }
  }
}

/** Revokes the session on the server, then forgets it here (and in every tab). */
async function logOut(authorization: string): Promise<void> {
  try {
    await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: 'mutation { logOut }' }),
    });
  } finally {
    localStorage.removeItem(SESSION_KEY);
  }
}

function actions(...children: HTMLElement[]): HTMLElement {
  return el('p', { className: 'gate-actions' }, ...children);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]>,
  ...children: (string | Node)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}
