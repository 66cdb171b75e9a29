import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { MAX_PAGE_SIZE, type Page, type PageRequest } from '../db/page';

@ArgsType()
export class PageArgs implements PageRequest {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  first: number = 20;

  @Field(() => Int, { defaultValue: 0 })
  offset: number = 0;
}

/** `Paginated(Model)` makes the GraphQL type `ModelPage { items, totalCount, hasNextPage }`. */
export function Paginated<T extends object>(itemType: ClassType<T>, name = itemType.name) {
  @ObjectType(`${name}Page`)
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
