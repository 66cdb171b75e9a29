import type { HeadFieldsFragment } from './gql/graphql';

type HeadLike = Pick<HeadFieldsFragment, 'ordinal' | 'status' | 'classNames'>;

/** How a class of an expandable model is answered: by a serving head, by none any more, or not yet. */
export type ClassService = { kind: 'served'; ordinal: number } | { kind: 'retired' } | { kind: 'waiting' };

/**
 * Like the server's unserved classes: a class that a serving head names is served; one only a
 * retired head named was taken out of service on purpose; any other (new, or only in a rejected
 * head) waits for a head.
 */
export function classService(name: string, heads: HeadLike[]): ClassService {
  const active = heads.find((h) => h.status === 'ACTIVE' && h.classNames.includes(name));
  if (active) return { kind: 'served', ordinal: active.ordinal };
  if (heads.some((h) => h.status === 'RETIRED' && h.classNames.includes(name))) return { kind: 'retired' };
  return { kind: 'waiting' };
}

/** Classes with images that no head serves yet. */
export function waitingClasses<C extends { name: string; imageCount: number }>(classes: C[], heads: HeadLike[]): C[] {
  if (!heads.some((h) => h.status === 'ACTIVE')) return [];
  return classes.filter((c) => c.imageCount > 0 && classService(c.name, heads).kind === 'waiting');
}
