import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { BadUserInputError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import { checkPage, toPage, type Page, type PageRequest } from '../db/page';
import { isUuid } from '../db/ids';
import { mayRevoke, principalOf, signUpRole, urlSignatureValid, type SignUpMode, type UrlSignature } from './access';
import { Invitation } from './invitation.entity';
import { LoginThrottle } from './login-throttle';
import { hashPassword, needsRehash, verifyPassword } from './password';
import type { Principal, UserPrincipal } from './principal';
import { PrincipalCache, type Authenticated } from './principal-cache';
import { identityChanged, publishToServers, type IdentityChange, type PerceptPubSub } from '../events/pubsub';
import { displayPrefix, hashSecret, newSecret } from './secrets';
import { Token, TokenKind, TokenScope } from './token.entity';
import { Role, User } from './user.entity';

export interface Session {
  token: string;
  user: User;
}

/** What a sign-up brings besides the credentials. */
export interface SignUpAsk {
  /** An invitation code, or the setup code printed at start. */
  code?: string | null;
  /** The caller's address (log-in throttle). */
  client?: string;
  /** Made from the server's own machine, not through a proxy (access.ts `signUpRole`). */
  local?: boolean;
}

export interface IssuedInvitation {
  /** The code, shown once. */
  code: string;
  invitation: Invitation;
}

export interface IssuedToken {
  /** The secret, shown once. */
  secret: string;
  token: Token;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD = 8;
// Hash used when the email is unknown, so a failed log-in takes as long either way; made when first needed.
let dummyHash: Promise<string> | null = null;
const DUMMY_HASH = () => (dummyHash ??= hashPassword('not a real password'));

export class AuthService {
  private readonly principals = new PrincipalCache();

  /** Without `pubsub` (the admin CLI), identity changes reach the servers by a NOTIFY of their own. */
  constructor(
    private readonly db: DataSource,
    private readonly sessionTtlHours: number,
    private readonly pubsub: PerceptPubSub | null = null,
    private readonly clock: () => Date = () => new Date(),
    private readonly throttle = new LoginThrottle(),
    private readonly signUpMode: SignUpMode = 'open',
  ) {}

  private setupCodeHash: string | null = null;

  /**
   * Makes an account and a session, as access.ts `signUpRole` allows. The mode is checked before
   * whether the email exists, so a refused stranger learns nothing of who has an account; an email
   * that exists gets logIn's answer (its session with the right password, "Wrong email or
   * password" otherwise), counted by the log-in throttle, so probing costs what guessing does.
   */
  async signUp(email: string, password: string, ask: SignUpAsk = {}): Promise<Session> {
    const normalized = checkEmail(email);
    checkPassword(password);
    const invitation = ask.code ? await this.validInvitation(ask.code, normalized) : null;
    const roleNow = async (tx: EntityManager) =>
      signUpRole(this.signUpMode, {
        adminExists: await tx.existsBy(User, { role: Role.ADMIN }),
        local: ask.local ?? false,
        setupCode: ask.code != null && this.setupCodeHash !== null && hashSecret(ask.code) === this.setupCodeHash,
        invitation: invitation !== null,
      });
    await roleNow(this.db.manager);
    if (await this.db.getRepository(User).existsBy({ email: normalized })) {
      return this.logIn(normalized, password, ask.client);
    }
    const passwordHash = await hashPassword(password);
    const user = await this.db.transaction(async (tx) => {
      // Serialise sign-ups so that exactly one first account becomes admin.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['percept:signup']);
      const role = await roleNow(tx);
      if (await tx.existsBy(User, { email: normalized })) throw new UnauthenticatedError('Wrong email or password.');
      if (role === Role.USER && invitation && this.signUpMode !== 'open') {
        const used = await tx.update(Invitation, { id: invitation.id, usedAt: IsNull() }, { usedAt: this.clock() });
        if (!used.affected) throw new ForbiddenError('This invitation has been used already.');
      }
      return tx.save(tx.create(User, { email: normalized, passwordHash, role }));
    });
    if (user.role === Role.ADMIN) this.setupCodeHash = null;
    return { token: await this.issueSession(user), user };
  }

  /**
   * The one-time code that makes the first account admin from anywhere, while there is no admin;
   * printed at start (main.ts). Null once there is one.
   */
  async issueSetupCode(): Promise<string | null> {
    if (await this.db.getRepository(User).existsBy({ role: Role.ADMIN })) return (this.setupCodeHash = null);
    const code = newSecret(TokenKind.SESSION).slice(4, 20);
    this.setupCodeHash = hashSecret(code);
    return code;
  }

  /** Admins: a one-time invitation, shown once, for `email` (or anyone holding it) within `days`. */
  async createInvitation(principal: UserPrincipal, email: string | null, days: number): Promise<IssuedInvitation> {
    if (!Number.isInteger(days) || days < 1 || days > 90) {
      throw new BadUserInputError('An invitation lasts 1 to 90 days.', { field: 'days' });
    }
    const code = newSecret(TokenKind.SESSION).slice(4);
    const invitation = await this.db.getRepository(Invitation).save(
      this.db.getRepository(Invitation).create({
        codeHash: hashSecret(code),
        email: email ? checkEmail(email) : null,
        createdById: principal.userId,
        expiresAt: new Date(this.clock().getTime() + days * 86_400_000),
      }),
    );
    return { code, invitation };
  }

  private async validInvitation(code: string, email: string): Promise<Invitation | null> {
    const invitation = await this.db.getRepository(Invitation).findOneBy({ codeHash: hashSecret(code) });
    const valid =
      invitation &&
      !invitation.usedAt &&
      invitation.expiresAt.getTime() > this.clock().getTime() &&
      (invitation.email === null || invitation.email === email);
    return valid ? invitation : null;
  }

  /** `client`: the caller's address, for the throttle (LoginThrottle). */
  async logIn(email: string, password: string, client = 'unknown'): Promise<Session> {
    const account = email.trim().toLowerCase();
    this.throttle.check(account, client);
    const user = await this.db.getRepository(User).findOneBy({ email: account });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH()));
    // One message for both cases: do not tell which part was wrong.
    if (!user || !ok) {
      this.throttle.failed(account, client);
      throw new UnauthenticatedError('Wrong email or password.');
    }
    this.throttle.succeeded(account, client);
    if (user.disabledAt) throw new UnauthenticatedError('This account has been disabled by an admin.');
    if (needsRehash(user.passwordHash)) {
      user.passwordHash = await hashPassword(password);
      await this.db.getRepository(User).update({ id: user.id }, { passwordHash: user.passwordHash });
    }
    return { token: await this.issueSession(user), user };
  }

  async logOut(principal: Principal): Promise<boolean> {
    await this.db.getRepository(Token).update({ id: principal.tokenId }, { revokedAt: this.clock() });
    await this.announce({
      reason: 'LOGGED_OUT',
      userId: principal.kind === 'user' ? principal.userId : null,
      tokenIds: [principal.tokenId],
    });
    return true;
  }

  /**
   * Revokes every token of a user (account deleted or disabled): they stop working at the next
   * request. Anything that keeps principals or sockets open by token must hear of it here, as of
   * logOut and revokeToken.
   */
  async revokeAllOf(userId: string, reason: 'USER_DISABLED' | 'USER_DELETED'): Promise<void> {
    await this.db.getRepository(Token).update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock() });
    await this.announce({ reason, userId });
  }

  /** Resolves a bearer secret to its principal; null when unknown, revoked or expired. */
  async authenticate(secret: string): Promise<Principal | null> {
    return (await this.authenticateSession(secret))?.principal ?? null;
  }

  /** The principal with its token's expiry (a socket ends then); from memory while it is known valid. */
  async authenticateSession(secret: string): Promise<Authenticated | null> {
    const hash = hashSecret(secret);
    const now = this.clock();
    const cached = this.principals.get(hash, now);
    if (cached) return cached;
    const token = await this.db.getRepository(Token).findOne({ where: { hash }, relations: { user: true } });
    const who = token && principalOf(token, now);
    if (!who) return null;
    // Writing on every request would make reads write; a minute's precision is plenty (the cache's TTL).
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
      await this.db.getRepository(Token).update({ id: token.id }, { lastUsedAt: now });
    }
    const session = { principal: who, expiresAt: token.expiresAt };
    this.principals.set(hash, session, now);
    return session;
  }

  /** Drops cached principals an identity change made wrong (IDENTITY_CHANGED from any server). */
  forget(change: IdentityChange | 'all'): void {
    if (change === 'all') this.principals.clear();
    else this.principals.forget(change);
  }

  /** The user a signed URL for `subject` was issued to; null when the signature or its token is not valid. */
  async authenticateSigned(subject: string, signature: UrlSignature): Promise<UserPrincipal | null> {
    if (!isUuid(signature.tokenId)) return null;
    const token = await this.db
      .getRepository(Token)
      .findOne({ where: { id: signature.tokenId }, relations: { user: true } });
    const now = this.clock();
    const who = token && principalOf(token, now);
    if (who?.kind !== 'user' || !urlSignatureValid(subject, signature, token!.hash, now.getTime())) return null;
    return who;
  }

  /** The key URLs signed for `who` are signed with (the stored hash of its token); null once it is gone. */
  async signingKey(who: UserPrincipal): Promise<string | null> {
    const token = await this.db.getRepository(Token).findOneBy({ id: who.tokenId });
    return token?.hash ?? null;
  }

  async me(principal: UserPrincipal): Promise<User> {
    return this.db.getRepository(User).findOneByOrFail({ id: principal.userId });
  }

  async createApiToken(
    principal: UserPrincipal,
    name: string,
    scope: TokenScope,
    expiresInDays?: number | null,
  ): Promise<IssuedToken> {
    if (principal.scope !== TokenScope.FULL) throw new ForbiddenError('A scoped token cannot create tokens.');
    const trimmed = checkName(name, 'name');
    if (expiresInDays != null && (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)) {
      throw new BadUserInputError('expiresInDays must be a whole number of days from 1 to 3650.', {
        field: 'expiresInDays',
      });
    }
    const expiresAt = expiresInDays ? new Date(this.clock().getTime() + expiresInDays * 86_400_000) : null;
    return this.issue(this.db.manager, TokenKind.API, { name: trimmed, scope, userId: principal.userId, expiresAt });
  }

  async listApiTokens(principal: UserPrincipal): Promise<Token[]> {
    return this.db.getRepository(Token).find({
      where: { userId: principal.userId, kind: TokenKind.API, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /** Owners revoke their API tokens; admins any token. Takes effect on the next request. */
  async revokeToken(principal: UserPrincipal, id: string): Promise<Token> {
    const repo = this.db.getRepository(Token);
    const token = await repo.findOneBy({ id });
    if (!token || !mayRevoke(principal, token)) throw new NotFoundError('No such token.');
    if (!token.revokedAt) {
      token.revokedAt = this.clock();
      await repo.save(token);
      await this.announce({ reason: 'TOKEN_REVOKED', userId: token.userId, tokenIds: [token.id] });
    }
    return token;
  }

  async createRunnerToken(name: string): Promise<IssuedToken> {
    return this.issue(this.db.manager, TokenKind.RUNNER, {
      name: checkName(name, 'name'),
      scope: TokenScope.FULL,
      userId: null,
      expiresAt: null,
    });
  }

  async listRunnerTokens(): Promise<Token[]> {
    return this.db.getRepository(Token).find({ where: { kind: TokenKind.RUNNER }, order: { createdAt: 'DESC' } });
  }

  async listUsers(page: PageRequest): Promise<Page<User>> {
    const p = checkPage(page);
    const [items, total] = await this.db.getRepository(User).findAndCount({ order: { createdAt: 'ASC' }, ...p });
    return toPage(items, total, p);
  }

  async setRole(principal: UserPrincipal, userId: string, role: Role): Promise<User> {
    if (principal.userId === userId && role !== Role.ADMIN) {
      throw new BadUserInputError('You cannot remove your own admin role; ask another admin.');
    }
    const repo = this.db.getRepository(User);
    const user = await repo.findOneBy({ id: userId });
    if (!user) throw new NotFoundError('No such user.');
    const was = user.role;
    user.role = role;
    const saved = await repo.save(user);
    if (was !== role) await this.announce({ reason: 'ROLE_CHANGED', userId });
    return saved;
  }

  /** CLI: make an account admin, creating it when a password is given and it does not exist. */
  async ensureAdmin(email: string, password?: string): Promise<{ user: User; created: boolean }> {
    const normalized = checkEmail(email);
    const repo = this.db.getRepository(User);
    const existing = await repo.findOneBy({ email: normalized });
    if (existing) {
      const was = existing.role;
      existing.role = Role.ADMIN;
      const user = await repo.save(existing);
      if (was !== Role.ADMIN) await this.announce({ reason: 'ROLE_CHANGED', userId: user.id });
      return { user, created: false };
    }
    if (!password) throw new BadUserInputError(`No account ${normalized}; give a password to create it.`);
    checkPassword(password);
    const user = await repo.save(
      repo.create({ email: normalized, passwordHash: await hashPassword(password), role: Role.ADMIN }),
    );
    return { user, created: true };
  }

  /**
   * Call after committing any change to a user's credentials (tokens revoked, role changed, user
   * disabled or deleted): this server forgets the principals at once (a revoked token is refused on
   * the next request), then every server hears of it, forgets them too and closes the sockets opened
   * with them. Without tokenIds, everything of the user goes.
   */
  async announce(change: IdentityChange): Promise<void> {
    this.principals.forget(change);
    if (this.pubsub) identityChanged(this.pubsub, change);
    else await publishToServers(this.db, 'IDENTITY_CHANGED', change);
  }

  private async issueSession(user: User): Promise<string> {
    const expiresAt = new Date(this.clock().getTime() + this.sessionTtlHours * 3_600_000);
    const { secret } = await this.issue(this.db.manager, TokenKind.SESSION, {
      name: 'web session',
      scope: TokenScope.FULL,
      userId: user.id,
      expiresAt,
    });
    return secret;
  }

  private async issue(
    tx: EntityManager,
    kind: TokenKind,
    fields: { name: string; scope: TokenScope; userId: string | null; expiresAt: Date | null },
  ): Promise<IssuedToken> {
    const secret = newSecret(kind);
    const token = await tx.save(
      tx.create(Token, { ...fields, kind, hash: hashSecret(secret), prefix: displayPrefix(secret) }),
    );
    return { secret, token };
  }
}

function checkEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized) || normalized.length > 254) {
    throw new BadUserInputError('Enter a valid email address, like name@example.com.', { field: 'email' });
  }
  return normalized;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) {
    throw new BadUserInputError(`The password must be at least ${MIN_PASSWORD} characters long.`, {
      field: 'password',
    });
  }
  if (password.length > 1024)
    throw new BadUserInputError('The password is too long (1024 characters at most).', { field: 'password' });
}

export function checkName(name: string, field: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new BadUserInputError(`The ${field} cannot be empty.`, { field });
  if (trimmed.length > 200)
    throw new BadUserInputError(`The ${field} is too long (200 characters at most).`, { field });
  return trimmed;
}
