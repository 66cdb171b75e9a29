import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import type { Principal, UserPrincipal } from './principal';
import { TokenKind, TokenScope, type Token } from './token.entity';
import { Role } from './user.entity';
import { artifactPrefix, checkpointKey, refitCheckpointKey, shardsPrefix } from '../storage/keys';
import { isTask, TaskType, type Task } from '../tasks/task.entity';

/*
 * The one access policy: who may call an operation (token kinds and scopes), whose objects a
 * user sees (owner or admin), which tokens are valid, and which signed URLs are. Services call
 * these functions; none writes the rules again.
 */

/** Who may call an operation, given to `@Authorized(...)`. */
export enum Access {
  /** Any signed-in user with a full-scope token. */
  USER = 'USER',
  /** Also open to API tokens whose scope is CLASSIFY. */
  CLASSIFY = 'CLASSIFY',
  ADMIN = 'ADMIN',
  /** Runner tokens (and nobody else unless also listed). */
  RUNNER = 'RUNNER',
}

/** Throws UNAUTHENTICATED or FORBIDDEN unless `who` may call an operation open to `access`. */
export function checkOperation(who: Principal | null, access: readonly Access[]): true {
  if (!who) throw new UnauthenticatedError('Sign in, or send an API token as "Authorization: Bearer <token>".');
  if (who.kind === 'runner') {
    if (access.includes(Access.RUNNER)) return true;
    throw new ForbiddenError('A runner token can only do runner work.');
  }
  if (access.length > 0 && access.every((a) => a === Access.RUNNER)) {
    throw new ForbiddenError('Only runners can call this.');
  }
  if (access.includes(Access.ADMIN) && who.role !== Role.ADMIN) throw new ForbiddenError('Admins only.');
  if (who.scope === TokenScope.CLASSIFY && !access.includes(Access.CLASSIFY)) {
    throw new ForbiddenError('This token may only classify.');
  }
  return true;
}

/**
 * Introspection answers for signed-in callers only: GraphiQL runs as a signed-in admin and codegen
 * reads the committed schema.graphql, so nobody needs it anonymously.
 */
export function checkIntrospection(who: Principal | null): void {
  if (!who)
    throw new UnauthenticatedError('Sign in to introspect the schema (it is also published as schema.graphql).');
}

export const authChecker: AuthChecker<{ principal: Principal | null }, Access> = ({ context }, access) =>
  checkOperation(context.principal, access);

/** Owner or admin: whether `who` may see and change an object owned by `ownerId` (null: the system's). */
export function canAccess(who: UserPrincipal, ownerId: string | null | undefined): boolean {
  return who.role === Role.ADMIN || (ownerId != null && ownerId === who.userId);
}

/**
 * The object when `who` may see it; otherwise NOT_FOUND, not FORBIDDEN, so that the existence of
 * another user's object is not revealed.
 */
export function accessible<T extends { ownerId: string | null }>(
  who: UserPrincipal,
  object: T | null | undefined,
  notFound: string,
): T {
  if (!object || !canAccess(who, object.ownerId)) throw new NotFoundError(notFound);
  return object;
}

/**
 * The owner a list is restricted to: the caller's own objects, except for an admin who asks for
 * everyone's (`all`) or for one owner's (`ownerId`); null means no restriction.
 */
export function listScope(who: UserPrincipal, ask: { all?: boolean; ownerId?: string | null } = {}): string | null {
  if (who.role !== Role.ADMIN) return who.userId;
  if (ask.ownerId) return ask.ownerId;
  return ask.all ? null : who.userId;
}

/*
 * A CLASSIFY-scoped token reaches classify, classifyBatch and its owner's batch tasks, nothing else
 * of the owner's: not their models' data, not their other tasks (imports name files, training runs
 * their networks), and it cannot add images (`classify(keep: true)`).
 */

/** Whether `who` may see `task`: owner or admin, and for a classify-only token its batch tasks only. */
export function canSeeTask(who: UserPrincipal, task: Pick<Task, 'ownerId' | 'type'>): boolean {
  return canAccess(who, task.ownerId) && (who.scope === TokenScope.FULL || task.type === TaskType.CLASSIFY_BATCH);
}

/** The task when `who` may see it; NOT_FOUND otherwise, as for any object out of reach. */
export function accessibleTask<T extends Task>(who: UserPrincipal, task: T | null | undefined, notFound: string): T {
  if (!task || !canSeeTask(who, task)) throw new NotFoundError(notFound);
  return task;
}

/** FORBIDDEN unless `who` may add data to their models (classify-only tokens may not). */
export function checkMayAddData(who: UserPrincipal): void {
  if (who.scope !== TokenScope.FULL) throw new ForbiddenError('A classify-only token cannot keep images.');
}

/** Only full-scope user tokens; classify-only tokens and runners are refused. */
export function requireFullScope(who: Principal | null, hint: string): UserPrincipal {
  if (!who || who.kind !== 'user') throw new UnauthenticatedError(hint);
  if (who.scope !== TokenScope.FULL) throw new ForbiddenError('This token may only classify.');
  return who;
}

/** The principal a stored token stands for at `now`; null when revoked, expired or orphaned. */
export function principalOf(
  token: Pick<Token, 'id' | 'kind' | 'scope' | 'revokedAt' | 'expiresAt'> & {
    user?: { id: string; role: Role; disabledAt?: Date | null } | null;
  },
  now: Date,
): Principal | null {
  if (token.revokedAt || (token.expiresAt && token.expiresAt.getTime() <= now.getTime())) return null;
  if (token.kind === TokenKind.RUNNER) return { kind: 'runner', tokenId: token.id };
  if (!token.user || token.user.disabledAt) return null;
  return { kind: 'user', userId: token.user.id, role: token.user.role, tokenId: token.id, scope: token.scope };
}

/*
 * Sign-up. An exposed fresh instance must not belong to whoever signs up first: the first admin is
 * the first account made from the server's own machine (a loopback connection that no proxy
 * forwarded) or with the one-time setup code the server prints at start, or made with
 * `npm run admin`. Everyone else signs up as a user, if PERCEPT_SIGNUP lets them: `open` (anyone),
 * `invite` (with an unused invitation an admin created; the default), `closed` (nobody).
 */
export type SignUpMode = 'open' | 'invite' | 'closed';

/** The role a new account gets; FORBIDDEN when it may not be made. */
export function signUpRole(
  mode: SignUpMode,
  ask: { adminExists: boolean; local: boolean; setupCode: boolean; invitation: boolean },
): Role {
  if (!ask.adminExists && (ask.local || ask.setupCode)) return Role.ADMIN;
  if (mode === 'open' || (mode === 'invite' && ask.invitation)) return Role.USER;
  throw new ForbiddenError(
    mode === 'invite'
      ? 'Sign-up needs an invitation code from an admin.'
      : 'Sign-up is closed on this server; ask an admin for an account.',
  );
}

/** Owners revoke their own API tokens; admins any token. */
export function mayRevoke(who: UserPrincipal, token: Pick<Token, 'userId' | 'kind'>): boolean {
  return canAccess(who, token.kind === TokenKind.API ? token.userId : null);
}

/*
 * Signed URLs, for what an <img> tag fetches (it cannot send an Authorization header). Rather
 * than put the bearer token in the query string (a long-lived secret in logs, history and Referer
 * headers), the API hands out short-lived URLs signed with HMAC-SHA256 of (subject, expiry), keyed
 * by the stored hash of the token that asked. The hash never leaves the database, every server
 * sharing it can verify, and revoking the token (logging out) voids its URLs at once. Expiry is
 * rounded to the hour so that a page's URLs stay the same for an hour and the browser cache works.
 */
const HOUR = 3600;

/** What a signed URL carries besides its subject (say `thumb:<imageId>`). */
export interface UrlSignature {
  tokenId: string;
  /** Seconds since the epoch. */
  exp: number;
  sig: string;
}

export function signedUrlExpiry(nowMs = Date.now()): number {
  return (Math.ceil(nowMs / 1000 / HOUR) + 1) * HOUR;
}

export function signUrl(subject: string, exp: number, key: string): string {
  return createHmac('sha256', key).update(`${subject}:${exp}`).digest('base64url').slice(0, 32);
}

/** Whether `s` signs `subject` with `key` and has not expired. */
export function urlSignatureValid(subject: string, s: UrlSignature, key: string, nowMs = Date.now()): boolean {
  if (!(s.exp * 1000 > nowMs)) return false;
  const expected = Buffer.from(signUrl(subject, s.exp, key));
  const given = Buffer.from(s.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/*
 * Runner tokens reach only the work in hand: while a remote runner holds an attempt of a task
 * (a live lease on that attempt), it may read the task's dataset and the blobs the task reads, and
 * write the blobs it produces. A compromised runner machine cannot read other models' pixels, nor
 * replace a thumbnail or the network that answers `classify` for another model.
 */
export interface RunnerReach {
  /** The model whose dataset (index, shards, loose images) the task trains on, or null. */
  dataset: string | null;
  /** Key prefixes the task reads (outputs included: a retried attempt resumes from them). */
  read: string[];
  /** Key prefixes the task writes. */
  write: string[];
}

/** What the holder of `task` may touch. */
export function runnerReach(task: Task): RunnerReach {
  const none: RunnerReach = { dataset: null, read: [], write: [] };
  const reach = (dataset: string | null, inputs: string[], outputs: string[]): RunnerReach => ({
    dataset,
    read: [...inputs, ...outputs],
    write: outputs,
  });
  if (isTask(task, TaskType.TRAIN_CANDIDATE)) {
    const p = task.payload;
    const outputs = [
      checkpointKey(p.modelId, p.candidateId),
      refitCheckpointKey(p.modelId, p.candidateId),
      artifactPrefix(p.modelId, p.candidateId),
    ];
    // A promotion that may serve an ensemble reads the partners' checkpoints (never writes them).
    const partners = p.finalize ? (p.partners ?? []).map((c) => checkpointKey(p.modelId, c.candidateId)) : [];
    return reach(p.modelId, partners, outputs);
  }
  if (isTask(task, TaskType.SPLIT_MODEL)) {
    const p = task.payload;
    return reach(null, [p.artifactKey], [p.baseKey, p.headKey]);
  }
  if (isTask(task, TaskType.TRAIN_HEAD)) {
    const p = task.payload;
    const from = p.heads.flatMap((h) => (h.fromKey ? [h.fromKey] : []));
    return reach(p.modelId, [p.baseKey, ...from], [p.featuresKey, ...p.heads.map((h) => h.artifactKey)]);
  }
  return none;
}

/** Whether `key` is one of `prefixes` or lies below one. */
function under(key: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => key === p || key.startsWith(`${p.replace(/\/+$/, '')}/`));
}

/** Whether the holder of `task` may read the dataset of `modelId`, or read or write the blob `key`. */
export function runnerMay(task: Task, what: { dataset: string } | { read: string } | { write: string }): boolean {
  const reach = runnerReach(task);
  if ('dataset' in what) return reach.dataset !== null && reach.dataset === what.dataset;
  // A task that trains on a dataset reads its shards (the index it was given names them).
  if ('read' in what) return under(what.read, [...reach.read, ...(reach.dataset ? [shardsPrefix(reach.dataset)] : [])]);
  return under(what.write, reach.write);
}
