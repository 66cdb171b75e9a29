import type { UserFieldsFragment } from './gql/graphql';

const KEY = 'percept.session';

interface Stored {
  token: string;
  user: UserFieldsFragment;
}

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
      if (e.key === KEY) this.load();
    });
  }

  start(token: string, user: UserFieldsFragment): void {
    this.storage.setItem(KEY, JSON.stringify({ token, user } satisfies Stored));
    this.notice = null;
    this.token = token;
    this.user = user;
  }

  /** The role can change while signed in (an admin promotes or demotes): keep the stored copy current. */
  refresh(user: UserFieldsFragment): void {
    if (!this.token) return;
    this.storage.setItem(KEY, JSON.stringify({ token: this.token, user } satisfies Stored));
    this.user = user;
  }

  end(notice: string | null = null): void {
    this.storage.removeItem(KEY);
    this.notice = notice;
    this.token = null;
    this.user = null;
  }

  private load(): void {
    const stored = parse(this.storage.getItem(KEY));
    this.token = stored?.token ?? null;
    this.user = stored?.user ?? null;
  }
}

function parse(raw: string | null): Stored | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Stored>;
    return typeof value.token === 'string' && value.user ? (value as Stored) : null;
  } catch {
    return null;
  }
}

export const session = new Session(localStorage);
