import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { BadUserInputError } from './errors';

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  first: number = 20;

  @Field(() => Int, { defaultValue: 0 })
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  hasNextPage: boolean;
}

export function checkPage(args: PageArgs): { take: number; skip: number } {
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

/** `Paginated(Model)` makes the GraphQL type `ModelPage { items, totalCount, hasNextPage }`. */
export function Paginated<T extends object>(itemType: ClassType<T>) {
  @ObjectType(`${itemType.name}Page`)
  class PageType implements Page<T> {
    @Field(() => [itemType])
    items!: T[];

    @Field(() => Int)
    totalCount!: number;

    @Field(() => Boolean)
    hasNextPage!: boolean;
  }
  return PageType;
}
