/**
 * The k6 scripts' GraphQL documents and variables, validated against the committed supergraph's
 * public API (what the gateway serves), so a renamed field or argument fails here, not mid-load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchema, Kind, OperationDefinitionNode, parse, validate } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { Supergraph } from '@apollo/federation-internals';
import * as operations from './operations.js';
import { idempotencyKey } from './buyers.js';

const api: GraphQLSchema = Supergraph.build(readFileSync(join(__dirname, '../../schema/supergraph.graphql'), 'utf8'))
  .apiSchema()
  .toGraphQLJSSchema();

const documents = Object.entries(operations as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');

function operationOf(source: string): OperationDefinitionNode {
  const op = parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!op) throw new Error('no operation');
  return op;
}

/** Coerces variables as the gateway would; returns the coercion errors' messages. */
function variableErrors(source: string, variables: Record<string, unknown>): string[] {
  const result = getVariableValues(api, operationOf(source).variableDefinitions ?? [], variables);
  return result.errors ? result.errors.map((e) => e.message) : [];
}

describe('k6 GraphQL documents against schema/supergraph.graphql', () => {
  it('exports every document the scripts send', () => {
    expect(documents.map(([name]) => name).sort()).toEqual(
      [
        'ADD_TO_CART',
        'CATEGORIES',
        'CHANGE_CART_QUANTITY',
        'CLEAR_CART',
        'CREATE_CATEGORY',
        'CREATE_PRODUCT',
        'LOG_IN',
        'MY_CART',
        'PLACE_ORDER',
        'PLACE_ORDER_WITH_TICKET',
        'PRODUCTS_PAGE',
        'PRODUCT_DETAIL',
        'PRODUCT_LINE',
        'PRODUCT_SALE',
        'REMOVE_FROM_CART',
        'SCHEDULE_SALE',
      ].sort(),
    );
  });

  it.each(documents)('%s is a valid named operation', (_name, source) => {
    expect(validate(api, parse(source)).map((e) => e.message)).toEqual([]);
    expect(operationOf(source).name?.value).toMatch(/^[A-Z]\w+$/);
  });

  it('placeOrder variables coerce to PlaceOrderInput, with an idempotency key the API accepts', () => {
    const key = idempotencyKey('m1abc2def', 4999);
    expect(key).toMatch(/^[A-Za-z0-9_\-:.]{1,100}$/);
    expect(variableErrors(operations.PLACE_ORDER, operations.placeOrderVariables('8a1c4a0e-1111-4222-8333-944455556666', 1, key))).toEqual([]);
  });

  it('a misshapen placeOrder input is caught by the same check', () => {
    expect(variableErrors(operations.PLACE_ORDER, { input: { productId: 'p', quantity: 1, idempotencyKey: 'k' } })).not.toEqual([]);
  });

  it('the sale product the flash-sale setup creates coerces to CreateProductInput', () => {
    const variables = operations.saleProductVariables({
      name: 'k6 flash sale',
      categoryId: 'c1',
      price: 1999,
      stock: 500,
      opensAt: '2030-01-01T00:00:10.000Z',
      maxPerCustomer: 1,
    });
    expect(variableErrors(operations.CREATE_PRODUCT, variables)).toEqual([]);
    expect(variableErrors(operations.CREATE_PRODUCT, { ...variables, input: { ...variables.input, maxPerCustomer: null } })).toEqual([]);
  });

  it('the waiting-room script\'s order (with its ticket) and sale variables coerce', () => {
    const productId = '8a1c4a0e-1111-4222-8333-944455556666';
    expect(variableErrors(operations.PLACE_ORDER_WITH_TICKET, operations.ticketOrderVariables(productId, idempotencyKey('m1abc2def', 7), 'wr1.e30.sig'))).toEqual([]);
    expect(variableErrors(operations.SCHEDULE_SALE, { productId, opensAt: '2030-01-01T00:00:10.000Z', stock: 1000, closesAt: null, maxPerCustomer: 1, waitingRoom: true })).toEqual([]);
    expect(variableErrors(operations.PRODUCT_LINE, { id: productId })).toEqual([]);
  });

  it('the cart and catalog variables coerce', () => {
    expect(variableErrors(operations.ADD_TO_CART, { productId: 'p1', quantity: 1 })).toEqual([]);
    expect(variableErrors(operations.CHANGE_CART_QUANTITY, { productId: 'p1', delta: -1 })).toEqual([]);
    expect(variableErrors(operations.REMOVE_FROM_CART, { productId: 'p1' })).toEqual([]);
    expect(variableErrors(operations.PRODUCTS_PAGE, { first: 20, after: null, categoryId: null })).toEqual([]);
    expect(variableErrors(operations.PRODUCT_DETAIL, { id: 'p1' })).toEqual([]);
    expect(variableErrors(operations.LOG_IN, { email: 'a@example.test', password: 'x' })).toEqual([]);
    expect(variableErrors(operations.CREATE_CATEGORY, { input: { name: 'k6' } })).toEqual([]);
  });
});
