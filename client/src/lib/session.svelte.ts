import type { UserFieldsFragment } from './gql/graphql';
import { readSession, SESSION_KEY, writeSession } from './session-store';

/** The signed-in user and their session token, kept in localStorage so a reload stays signed in. */
export class Session {
  token = $state<string | null>(null);
  user = $state<UserFieldsFragment | null>(null);
  /** Why the last session ended, shown once on the log-in page. */
  notice = $state<string | null>(null);

  isAdmin = $derived(this.user?.role === 'ADMIN');

  constructor(private readonly storage: Storage) {
    this.load();
    // Logging out in one tab logs out every tab.
    window.addEventListener('storage', (e) => {
      if (e.key === SESSION_KEY) this.load();
    });
  }

  start(token: string, user: UserFieldsFragment): void {
    writeSession(this.storage, { token, user });
    this.notice = null;
    this.token = token;
    this.user = user;
  }

  /** The role can change while signed in (an admin promotes or demotes): keep the stored copy current. */
  refresh(user: UserFieldsFragment): void {
    if (!this.token) return;
    writeSession(this.storage, { token: this.token, user });
    this.user = user;
  }

  end(notice: string | null = null): void {
    this.storage.removeItem(SESSION_KEY);
    this.notice = notice;
    this.token = null;
    this.user = null;
  }

  private load(): void {
    const stored = readSession(this.storage);
    this.token = stored?.token ?? null;
    this.user = stored?.user ?? null;
  }
}

export const session = new Session(localStorage);
