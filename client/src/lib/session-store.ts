import type { UserFieldsFragment } from './gql/graphql';

/**
 * Where the session lives in localStorage. Plain TypeScript, so that GraphiQL's bundle can read the
 * same session without carrying Svelte.
 */
export const SESSION_KEY = 'percept.session';

export interface StoredSession {
  token: string;
  user: UserFieldsFragment;
}

export function readSession(storage: Storage): StoredSession | null {
  const raw = storage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<StoredSession>;
    return typeof value.token === 'string' && value.user ? (value as StoredSession) : null;
  } catch {
    return null;
  }
}

export function writeSession(storage: Storage, session: StoredSession): void {
  storage.setItem(SESSION_KEY, JSON.stringify(session));
}
