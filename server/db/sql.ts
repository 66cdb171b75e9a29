/** A LIKE pattern matching every string that starts with `prefix` (its own %, _ and \ escaped). */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}
