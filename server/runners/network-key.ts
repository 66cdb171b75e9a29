/**
 * What classify runs, named by one string so that request batching and the runners' warm caches
 * key on it as they do on a plain network's artifact prefix. An expandable model that has been
 * split serves its base with the active heads; the string then spells out that head set (blob
 * prefixes and each output's global class id, null for a deleted class), so any change to the set
 * or its classes is a new key.
 */
export interface HeadSetNetwork {
  base: string;
  heads: { key: string; classIds: (number | null)[] }[];
}

const HEADS = 'heads:';

export function headSetKey(network: HeadSetNetwork): string {
  return HEADS + JSON.stringify(network);
}

/** A plain network's artifact prefix, or the head set a headSetKey spells out. */
export function parseNetworkKey(key: string): { artifactKey: string } | { heads: HeadSetNetwork } {
  if (!key.startsWith(HEADS)) return { artifactKey: key };
  return { heads: JSON.parse(key.slice(HEADS.length)) as HeadSetNetwork };
}
