import { BadUserInputError } from '../errors';

export const MAX_PAGE_SIZE = 100;

/** What a caller asks for: `first` items after skipping `offset` (the API's PageArgs is one). */
export interface PageRequest {
  first: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  hasNextPage: boolean;
}

export function checkPage(args: PageRequest): { take: number; skip: number } {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 1 and ${MAX_PAGE_SIZE}`, { field: 'first' });
  }
  if (!Number.isInteger(args.offset) || args.offset < 0) {
    throw new BadUserInputError('offset must be 0 or more', { field: 'offset' });
  }
  return { take: args.first, skip: args.offset };
}

export function toPage<T>(items: T[], totalCount: number, args: { skip: number }): Page<T> {
  return { items, totalCount, hasNextPage: args.skip + items.length < totalCount };
}
