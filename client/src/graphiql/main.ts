// GraphiQL at /graphiql: a second entry of the client build, so React stays out of the Svelte app.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createClient } from 'graphql-ws';
import { createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { endpoint, wsEndpoint } from '../lib/endpoint';
import { readSession, SESSION_KEY } from '../lib/session-store';
import { showGate } from './gate';
import './graphiql.css';

const DEFAULT_QUERY = `# Percept's GraphQL API, as you: an admin. Every query runs with your session.
#
# Ctrl-Enter runs the query; Docs (top left) lists every type and field.
# Subscriptions (like tasksChanged) run over graphql-ws on the same endpoint.

{
  me {
    email
    role
  }
}
`;

type Access = { role: string; email: string } | 'unauthenticated' | 'unreachable';

/** The stored user may be stale (role changed, session revoked): ask the server who this is. */
async function whoAmI(authorization: string): Promise<Access> {
  try {
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ me { email role } }' }),
    });
    const body = (await res.json()) as {
      data?: { me: { email: string; role: string } } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    if (body.data?.me) return body.data.me;
    return body.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ? 'unauthenticated' : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

function mountGraphiQL(target: HTMLElement, authorization: string): void {
  const fetcher = createGraphiQLFetcher({
    url: endpoint(),
    headers: { authorization },
    wsClient: createClient({ url: wsEndpoint(), connectionParams: { authorization }, lazy: true }),
    // Percept answers with plain JSON; no multipart (@defer) responses to parse.
    enableIncrementalDelivery: false,
  });
  const logo = createElement(
    GraphiQL.Logo,
    null,
    createElement('a', { href: '/admin/tasks', className: 'percept-home', title: 'Back to Percept' }, 'Percept'),
    ' GraphiQL',
  );
  target.replaceChildren();
  createRoot(target).render(
    createElement(StrictMode, null, createElement(GraphiQL, { fetcher, defaultQuery: DEFAULT_QUERY }, logo)),
  );
}

async function start(target: HTMLElement): Promise<void> {
  const session = readSession(localStorage);
  if (!session) return showGate(target, { kind: 'signed-out' });
  const authorization = `Bearer ${session.token}`;
  const access = await whoAmI(authorization);
  if (access === 'unreachable') return showGate(target, { kind: 'unreachable' });
  if (access === 'unauthenticated') {
    // Forget the dead session, so the log-in page asks instead of sending the visitor straight back here.
    localStorage.removeItem(SESSION_KEY);
    return showGate(target, { kind: 'expired' });
  }
  if (access.role !== 'ADMIN') return showGate(target, { kind: 'not-admin', email: access.email, authorization });
  mountGraphiQL(target, authorization);
}

// Logging in or out in another tab changes who this page runs as: start again.
window.addEventListener('storage', (e) => {
  if (e.key === SESSION_KEY) location.reload();
});

void start(document.getElementById('graphiql')!);
