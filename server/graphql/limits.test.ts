import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildSchema,
  getIntrospectionQuery,
  parse,
  specifiedRules,
  validate,
  type GraphQLError,
  type OperationDefinitionNode,
} from 'graphql';
import {
  DEFAULT_LIST_SIZE,
  introspectionCost,
  prepareOperation,
  queryCost,
  queryLimitRules,
  type QueryLimits,
} from './limits';

// The shapes that matter to the limits: pages with `first`, plain lists, nesting, a union.
const schema = buildSchema(`
  type Query {
    me: User
    models(first: Int! = 20, offset: Int! = 0): ModelPage!
    runners: [Runner!]!
    model(id: ID!): Model
    search: [Result!]!
  }
  type Mutation { rename(id: ID!, name: String!): Model }
  type Subscription { modelUpdated(id: ID!): Model }
  type User { id: ID! email: String! models(first: Int! = 20): ModelPage! }
  type ModelPage { items: [Model!]! totalCount: Int! }
  type Model { id: ID! name: String! owner: User! classes: [ModelClass!]! }
  type ModelClass { id: ID! name: String! }
  type Runner { id: ID! name: String! }
  union Result = Model | Runner
`);

const LIMITS: QueryLimits = { depth: 6, cost: 500, aliases: 5, rootFields: 4, tokens: 2000 };

function errors(query: string, limits = LIMITS): readonly GraphQLError[] {
  return validate(schema, parse(query), [...specifiedRules, ...queryLimitRules(limits)]);
}

function codes(query: string, limits = LIMITS): string[] {
  return errors(query, limits).map((e) => String(e.extensions.code ?? e.message));
}

function cost(query: string, variables?: Record<string, unknown>): number {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return queryCost(schema, doc, op, variables);
}

describe('depth', () => {
  test('a query within the depth passes; one level more is QUERY_TOO_DEEP with the limit and actual depth', () => {
    const ok = '{ me { models { items { owner { models { items { id } } } } } } }'; // 7 levels
    assert.deepEqual(codes(ok, { ...LIMITS, depth: 7, cost: 1e9 }), []);
    const [e] = errors(ok, { ...LIMITS, depth: 6 });
    assert.equal(e?.extensions.code, 'QUERY_TOO_DEEP');
    assert.equal(e?.extensions.limit, 6);
    assert.equal(e?.extensions.actual, 7);
    assert.match(e!.message, /nested 7 levels deep; at most 6/);
  });

  test('fragments and inline fragments count as the fields they hold', () => {
    const q = `{ me { ...M } }
      fragment M on User { models { ... on ModelPage { items { owner { models { items { id } } } } } } }`;
    assert.deepEqual(codes(q, { ...LIMITS, depth: 6 }), ['QUERY_TOO_DEEP']);
    assert.deepEqual(codes(q, { ...LIMITS, depth: 7 }), []);
  });

  test("GraphiQL's and codegen's full introspection query is exempt from depth, and costed by the schema's size", () => {
    const q = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    const schemaCost = introspectionCost(schema, '__schema');
    const tight = { depth: 2, cost: schemaCost, aliases: 0, rootFields: 1, tokens: 1000 };
    assert.deepEqual(codes(q, tight), []);
    const parsed = prepareOperation(schema, { query: q }, tight);
    assert.ok(!Array.isArray(parsed), JSON.stringify(parsed));
    const twice = prepareOperation(
      schema,
      { query: `{ a: __schema { types { name } } b: __schema { types { name } } }` },
      {
        ...tight,
        aliases: 2,
        rootFields: 2,
      },
    );
    assert.ok(Array.isArray(twice) && twice[0]!.extensions.code === 'QUERY_TOO_COSTLY', JSON.stringify(twice));
    assert.ok(introspectionCost(schema, '__type') < schemaCost);
  });

  test('the introspection cycle that would explode is refused by graphql-js itself', () => {
    const q = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    assert.deepEqual(
      errors(q).map((e) => e.message),
      ['Maximum introspection depth exceeded'],
    );
  });
});

describe('aliases and root fields', () => {
  test('an alias flood is TOO_MANY_ALIASES', () => {
    const flood = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const found = errors(flood, { ...LIMITS, rootFields: 10_000 });
    assert.deepEqual(
      found.map((e) => e.extensions.code),
      ['TOO_MANY_ALIASES'],
    );
    assert.equal(found[0]?.extensions.actual, 1000);
    assert.deepEqual(codes('{ a: me { id } b: me { id } c: me { x: id } }'), []);
  });

  test('aliases inside a fragment count each time it is spread', () => {
    const q = `{ m1: model(id: 1) { ...A } m2: model(id: 2) { ...A } }
      fragment A on Model { a: id b: name c: id }`;
    assert.deepEqual(codes(q), ['TOO_MANY_ALIASES']); // 2 + 2 × 3 = 8 > 5
    assert.deepEqual(codes(q, { ...LIMITS, aliases: 8 }), []);
  });

  test('repeated root fields count, aliased or not, through fragments too', () => {
    assert.deepEqual(codes('{ me { id } me { id } me { id } me { id } }'), []);
    assert.deepEqual(codes('{ me { id } me { id } me { id } me { id } me { id } }'), ['TOO_MANY_ROOT_FIELDS']);
    const viaFragment =
      '{ ...Q ...Q2 } fragment Q on Query { me { id } runners { id } } fragment Q2 on Query { a: me { id } b: me { id } c: runners { id } }';
    const found = errors(viaFragment);
    assert.deepEqual(
      found.map((e) => e.extensions.code),
      ['TOO_MANY_ROOT_FIELDS'],
    );
    assert.equal(found[0]?.extensions.actual, 5);
  });

  test('a mutation with many root fields (each would run in turn) is refused before any runs', () => {
    const q = `mutation { ${Array.from({ length: 5 }, (_, i) => `r${i}: rename(id: ${i}, name: "x") { id }`).join(' ')} }`;
    assert.ok(codes(q, { ...LIMITS, aliases: 100 }).includes('TOO_MANY_ROOT_FIELDS'));
  });
});

describe('cost', () => {
  test('every field costs 1; a page multiplies its items by `first`', () => {
    assert.equal(cost('{ me { id email } }'), 3);
    // models 1 + items (1 + 50 × 2) + totalCount 1
    assert.equal(cost('{ models(first: 50) { items { id name } totalCount } }'), 103);
  });

  test('`first` from a variable, else its default, else the schema default', () => {
    const q = 'query($n: Int! = 7) { models(first: $n) { items { id } } }';
    assert.equal(cost(q, { n: 100 }), 1 + 1 + 100);
    assert.equal(cost(q), 1 + 1 + 7);
    assert.equal(cost('{ models { items { id } } }'), 1 + 1 + 20);
  });

  test(`a list without \`first\` counts ${DEFAULT_LIST_SIZE} items, and nested lists multiply`, () => {
    assert.equal(cost('{ runners { id name } }'), 1 + DEFAULT_LIST_SIZE * 2);
    // models 1 + items (1 + 20 × (classes 1 + 10 × 1))
    assert.equal(cost('{ models { items { classes { id } } } }'), 1 + 1 + 20 * (1 + DEFAULT_LIST_SIZE));
  });

  test('fragments expanding exponentially are measured in linear time, not expanded', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Model { owner { models(first: 1) { items { ...F${i + 1} ...F${i + 1} } } } }`,
    ).join('\n');
    const q = `{ model(id: 1) { ...F0 } } ${fragments} fragment F${levels} on Model { id }`;
    const started = performance.now();
    const c = cost(q);
    assert.ok(c > 2 ** levels, `cost ${c}`);
    assert.ok(performance.now() - started < 500, 'measured quickly');
  });

  test('fragment cycles are reported by graphql-js and do not hang the limits', () => {
    const q = '{ me { ...A } } fragment A on User { models { items { owner { ...A } } } }';
    assert.deepEqual(codes(q), ['Cannot spread fragment "A" within itself.']);
    assert.ok(Number.isFinite(cost(q)));
  });
});

describe('prepareOperation (graphql-ws)', () => {
  const prepare = (query: string, variables?: Record<string, unknown>, limits = LIMITS) => {
    const r = prepareOperation(schema, { query, variables }, limits);
    return Array.isArray(r) ? r.map((e) => e.extensions.code) : 'ok';
  };

  test('gives HTTP-like codes: parse failure, validation failure, each limit, too costly', () => {
    assert.equal(prepare('subscription($id: ID!) { modelUpdated(id: $id) { name } }', { id: '1' }), 'ok');
    assert.deepEqual(prepare('subscription {'), ['GRAPHQL_PARSE_FAILED']);
    assert.deepEqual(prepare('subscription { nope }'), ['GRAPHQL_VALIDATION_FAILED']);
    assert.deepEqual(prepare('{ me { models { items { owner { models { items { owner { id } } } } } } } }'), [
      'QUERY_TOO_DEEP',
    ]);
    assert.deepEqual(prepare('query($n: Int!) { models(first: $n) { items { id } } }', { n: 1000 }), [
      'QUERY_TOO_COSTLY',
    ]);
    assert.equal(prepare('query($n: Int!) { models(first: $n) { items { id } } }', { n: 100 }), 'ok');
  });

  test('a document over the token limit is refused while parsing', () => {
    const big = `{ ${'me { id } '.repeat(600)} }`;
    const [e] = prepareOperation(schema, { query: big }, LIMITS) as GraphQLError[];
    assert.equal(e?.extensions.code, 'GRAPHQL_PARSE_FAILED');
    assert.match(e!.message, /more th.. 2000 tokens/);
  });
});
