import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  specifiedRules,
  validate,
  valueFromASTUntyped,
  type ASTVisitor,
  type DocumentNode,
  type ExecutionArgs,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Limits } from '../config/config';

/** The limits a GraphQL document must stay within; from `config.limits`. */
export interface QueryLimits {
  depth: number;
  cost: number;
  aliases: number;
  rootFields: number;
  /** Lexical tokens; bounds parse and validation time before any rule runs. */
  tokens: number;
}

export function queryLimitsOf(limits: Limits): QueryLimits {
  return {
    depth: limits.queryDepth,
    cost: limits.queryCost,
    aliases: limits.aliases,
    rootFields: limits.rootFields,
    tokens: limits.queryTokens,
  };
}

export type QueryLimitCode = 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY' | 'TOO_MANY_ALIASES' | 'TOO_MANY_ROOT_FIELDS';
export const QUERY_LIMIT_CODES: readonly QueryLimitCode[] = [
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'TOO_MANY_ALIASES',
  'TOO_MANY_ROOT_FIELDS',
];

/** A refused document. `extensions`: `code`, `limit` and the document's `actual` value. */
export class QueryLimitError extends GraphQLError {
  constructor(code: QueryLimitCode, message: string, limit: number, actual: number) {
    // Apollo answers validation failures with HTTP 400; the cost check (a plugin) asks for the same.
    super(message, { extensions: { code, limit, actual, http: { status: 400, headers: new Map() } } });
  }
}

/** A list without a `first` argument is assumed to hold this many items. */
export const DEFAULT_LIST_SIZE = 10;

/**
 * Introspection (`__schema`, `__type`) is left out of depth: GraphiQL's and codegen's queries are
 * deeper than any application query, and graphql-js already bounds introspection's only amplifying
 * shape, nested `fields`/`interfaces` lists (MaxIntrospectionDepthRule, in specifiedRules since 16.9).
 * It is costed by what it answers, not by its list arguments: `__schema` as every element of the
 * schema (types, fields, arguments, enum values, input fields), `__type` as the largest type, each
 * weighted INTROSPECTION_WEIGHT. Measured: a full introspection answer is about 330 KB, some 600
 * bytes per element where an application field answers in tens, so 20 aliased copies (6.7 MB from
 * a 1.2 KB request) were the cheapest large answer. Weighted 4, one full introspection costs about
 * 2,300 of the default 5,000, and a third copy is refused. Aliases and root fields still count.
 */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);
const INTROSPECTION_WEIGHT = 4;

const schemaSizes = new WeakMap<GraphQLSchema, { schema: number; largestType: number }>();

/** How many elements an introspection of the whole schema, and of its largest type, answers with. */
function schemaSize(schema: GraphQLSchema): { schema: number; largestType: number } {
  let size = schemaSizes.get(schema);
  if (!size) {
    size = { schema: 0, largestType: 0 };
    for (const type of Object.values(schema.getTypeMap())) {
      let n = 1;
      if (isObjectType(type) || isInterfaceType(type))
        for (const f of Object.values(type.getFields())) n += 1 + f.args.length;
      if (isInputObjectType(type)) n += Object.keys(type.getFields()).length;
      if (isEnumType(type)) n += type.getValues().length;
      size.schema += n;
      size.largestType = Math.max(size.largestType, n);
    }
    schemaSizes.set(schema, size);
  }
  return size;
}

/** The cost of one `__schema` or `__type` selection. */
export function introspectionCost(schema: GraphQLSchema, field: '__schema' | '__type'): number {
  const size = schemaSize(schema);
  return INTROSPECTION_WEIGHT * (field === '__schema' ? size.schema : size.largestType);
}

type Variables = Readonly<Record<string, unknown>> | undefined;

/**
 * Measures one operation, following fragment spreads. Each fragment is measured once per entry
 * state (memoised), so documents that spread fragments exponentially are measured in linear time;
 * fragment cycles (refused by NoFragmentCyclesRule) count as empty.
 */
class Measure {
  /** By `<measure>:<fragment>[/<entry state>]`. */
  private readonly memo = new Map<string, number>();
  private readonly active = new Set<string>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragment: (name: string) => FragmentDefinitionNode | undefined,
    private readonly operation: OperationDefinitionNode,
    private readonly variables: Variables,
  ) {}

  private viaFragment(key: string, name: string, fn: (f: FragmentDefinitionNode) => number): number {
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const def = this.fragment(name);
    if (!def || this.active.has(key)) return 0;
    this.active.add(key);
    const value = fn(def);
    this.active.delete(key);
    this.memo.set(key, value);
    return value;
  }

  /** Nesting of fields: `{ me { id } }` is 2. */
  depth(set: SelectionSetNode | undefined): number {
    let max = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (!INTROSPECTION_ROOTS.has(s.name.value)) max = Math.max(max, 1 + this.depth(s.selectionSet));
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        max = Math.max(max, this.depth(s.selectionSet));
      } else {
        const name = s.name.value;
        max = Math.max(
          max,
          this.viaFragment(`depth:${name}`, name, (f) => this.depth(f.selectionSet)),
        );
      }
    }
    return max;
  }

  /** Aliased fields, counted each time a fragment is spread. */
  aliases(set: SelectionSetNode | undefined): number {
    let n = 0;
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) n += (s.alias ? 1 : 0) + this.aliases(s.selectionSet);
      else if (s.kind === Kind.INLINE_FRAGMENT) n += this.aliases(s.selectionSet);
      else n += this.viaFragment(`aliases:${s.name.value}`, s.name.value, (f) => this.aliases(f.selectionSet));
    }
    return n;
  }

  /** Whether the root selects `__schema` or `__type` (directly or through fragments). */
  introspects(set: SelectionSetNode): boolean {
    return set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return INTROSPECTION_ROOTS.has(s.name.value);
      if (s.kind === Kind.INLINE_FRAGMENT) return this.introspects(s.selectionSet);
      const name = s.name.value;
      return this.viaFragment(`introspects:${name}`, name, (f) => Number(this.introspects(f.selectionSet))) > 0;
    });
  }

  /** Field selections at the root, repeats included: `{ me me }` is 2. */
  rootFields(set: SelectionSetNode): number {
    let n = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) n += 1;
      else if (s.kind === Kind.INLINE_FRAGMENT) n += this.rootFields(s.selectionSet);
      else n += this.viaFragment(`root:${s.name.value}`, s.name.value, (f) => this.rootFields(f.selectionSet));
    }
    return n;
  }

  /**
   * Every field costs 1, plus its selection times the size of the list it returns: the `first`
   * argument of the field, or of the nearest field above it (`models(first: 50) { items { … } }`),
   * else DEFAULT_LIST_SIZE. Repeated fields and every branch of a type condition are all counted.
   */
  cost(set: SelectionSetNode, parent: GraphQLCompositeType | undefined, pendingFirst?: number): number {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        total += this.fieldCost(s, parent, pendingFirst);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const on = s.typeCondition ? this.schema.getType(s.typeCondition.name.value) : parent;
        total += this.cost(s.selectionSet, isCompositeType(on) ? on : undefined, pendingFirst);
      } else {
        const name = s.name.value;
        total += this.viaFragment(`cost:${name}/${pendingFirst}`, name, (f) => {
          const on = this.schema.getType(f.typeCondition.name.value);
          return this.cost(f.selectionSet, isCompositeType(on) ? on : undefined, pendingFirst);
        });
      }
    }
    return total;
  }

  private fieldCost(node: FieldNode, parent: GraphQLCompositeType | undefined, pendingFirst?: number): number {
    const name = node.name.value;
    const def = parent && 'getFields' in parent ? parent.getFields()[name] : undefined;
    if (name === '__schema' || name === '__type') return introspectionCost(this.schema, name);
    if (!def || !node.selectionSet) return 1;
    const first = this.firstOf(node, def.args.find((a) => a.name === 'first')?.defaultValue);
    const isList = isListType(getNullableType(def.type));
    const size = isList ? (first ?? pendingFirst ?? DEFAULT_LIST_SIZE) : 1;
    const childPending = isList ? undefined : (first ?? pendingFirst);
    const type = getNamedType(def.type);
    return 1 + size * this.cost(node.selectionSet, isCompositeType(type) ? type : undefined, childPending);
  }

  /** The field's `first` argument: literal, variable (its value or default), or the schema default. */
  private firstOf(node: FieldNode, schemaDefault: unknown): number | undefined {
    const arg = node.arguments?.find((a) => a.name.value === 'first');
    let value: unknown = schemaDefault;
    if (arg?.value.kind === Kind.VARIABLE) {
      const name = arg.value.name.value;
      const def = this.operation.variableDefinitions?.find((v) => v.variable.name.value === name);
      value = this.variables?.[name] ?? (def?.defaultValue ? valueFromASTUntyped(def.defaultValue) : schemaDefault);
    } else if (arg) {
      value = valueFromASTUntyped(arg.value);
    }
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.ceil(value)) : undefined;
  }
}

function fragmentsOf(document: DocumentNode): (name: string) => FragmentDefinitionNode | undefined {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) byName.set(d.name.value, d);
  return (name) => byName.get(name);
}

/** Whether an operation introspects the schema (`__schema` or `__type` at its root). */
export function introspects(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  return new Measure(schema, fragmentsOf(document), operation, undefined).introspects(operation.selectionSet);
}

/** The static cost of an operation with its variables (see Measure.cost). */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables?: Variables,
): number {
  const root = schema.getRootType(operation.operation) ?? undefined;
  return new Measure(schema, fragmentsOf(document), operation, variables).cost(operation.selectionSet, root);
}

function operationRule(check: (m: Measure, op: OperationDefinitionNode) => QueryLimitError | null): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(op) {
      const m = new Measure(context.getSchema(), (n) => context.getFragment(n) ?? undefined, op, undefined);
      const error = check(m, op);
      if (error) context.reportError(error);
    },
  });
}

/** Validation rules that need no variables: depth, aliases, root fields. Cost is checked with variables. */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [
    operationRule((m, op) => {
      const depth = m.depth(op.selectionSet);
      return depth > limits.depth
        ? new QueryLimitError(
            'QUERY_TOO_DEEP',
            `The query is nested ${depth} levels deep; at most ${limits.depth} are allowed.`,
            limits.depth,
            depth,
          )
        : null;
    }),
    operationRule((m, op) => {
      const n = m.aliases(op.selectionSet);
      return n > limits.aliases
        ? new QueryLimitError(
            'TOO_MANY_ALIASES',
            `The query uses ${n} aliases; at most ${limits.aliases} are allowed.`,
            limits.aliases,
            n,
          )
        : null;
    }),
    operationRule((m, op) => {
      const n = m.rootFields(op.selectionSet);
      return n > limits.rootFields
        ? new QueryLimitError(
            'TOO_MANY_ROOT_FIELDS',
            `The operation selects ${n} root fields; at most ${limits.rootFields} are allowed. Split it into several requests.`,
            limits.rootFields,
            n,
          )
        : null;
    }),
  ];
}

/** Null when the operation's cost is within the limit. */
export function costError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
  limit: number,
): QueryLimitError | null {
  const cost = queryCost(schema, document, operation, variables);
  if (cost <= limit) return null;
  return new QueryLimitError(
    'QUERY_TOO_COSTLY',
    `The query would cost about ${cost} (fields × list sizes; a list counts \`first\` items, else ` +
      `${DEFAULT_LIST_SIZE}); at most ${limit} is allowed. Ask for fewer fields or smaller pages.`,
    limit,
    cost,
  );
}

/** Apollo: the cost check runs once the operation and its variables are known. */
export function costLimitPlugin(limit: number): ApolloServerPlugin {
  return {
    requestDidStart: async () => ({
      didResolveOperation: async ({ schema, document, operation, request }) => {
        const error = operation && costError(schema, document, operation, request.variables, limit);
        if (error) throw error;
      },
    }),
  };
}

/** The operation a request names, or its only one. */
export function operationOf(document: DocumentNode, name?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (name) return operations.find((o) => o.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

/**
 * graphql-ws: parse, validate and cost-check a subscribe message as Apollo does for HTTP,
 * returning the execution arguments or the errors to send. Codes match Apollo's.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  limits: QueryLimits,
): Omit<ExecutionArgs, 'contextValue'> | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.tokens });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...queryLimitRules(limits)]);
  if (invalid.length > 0) {
    return invalid.map((e) =>
      e instanceof QueryLimitError
        ? e
        : new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
  }
  const operation = operationOf(document, payload.operationName);
  if (!operation) {
    return [new GraphQLError('Unable to identify the operation.', { extensions: { code: 'BAD_REQUEST' } })];
  }
  const variables = payload.variables ?? undefined;
  const tooCostly = costError(schema, document, operation, variables, limits.cost);
  if (tooCostly) return [tooCostly];
  return { schema, document, operationName: payload.operationName, variableValues: variables };
}
