import {
  GraphQLID,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { isUuid } from '../db/ids';
import { BadUserInputError } from '../errors';

/**
 * Every id Percept hands out is a UUID. An `ID` argument (or input field) that is not one is
 * BAD_USER_INPUT before any resolver runs: it never reaches PostgreSQL, whose refusal would be an
 * unexpected error, logged with its stack and answered as INTERNAL_SERVER_ERROR.
 */
export const MalformedIds: MiddlewareFn = async ({ info, args }, next) => {
  if (info.parentType === info.schema.getRootType(info.operation.operation)) checkIds(info, args);
  return next();
};

/** Throws BAD_USER_INPUT when an ID argument of this root field is not a UUID (subscribe functions call it). */
export function checkIds(info: GraphQLResolveInfo, args: Record<string, unknown>): void {
  const field = info.parentType.getFields()[info.fieldName];
  for (const arg of field?.args ?? []) {
    const bad = malformed(args[arg.name], arg.type, arg.name);
    if (bad) throw new BadUserInputError(`${bad} is not a valid id.`, { field: bad });
  }
}

/** The path of the first value typed ID that is not a UUID, or null. */
function malformed(value: unknown, type: GraphQLInputType, path: string): string | null {
  if (value == null) return null;
  const t = getNullableType(type);
  if (isListType(t)) {
    const items = Array.isArray(value) ? value : [value];
    for (const [i, item] of items.entries()) {
      const bad = malformed(item, t.ofType as GraphQLInputType, `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (isInputObjectType(t)) {
    for (const f of Object.values(t.getFields())) {
      const bad = malformed((value as Record<string, unknown>)[f.name], f.type, `${path}.${f.name}`);
      if (bad) return bad;
    }
    return null;
  }
  return getNamedType(t) === GraphQLID && !isUuid(String(value)) ? path : null;
}
