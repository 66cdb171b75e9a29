/** Whether `s` has the shape of a uuid, so that a lookup by a malformed id is NOT_FOUND rather than a SQL error. */
export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
