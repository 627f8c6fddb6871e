/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n": typeof types.OrderByIdDocument,
    "\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n": typeof types.MyOrdersPageDocument,
    "\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n": typeof types.MyOrdersListFirstDocument,
    "\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n": typeof types.MyOrdersListAfterDocument,
    "\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n": typeof types.MyOrdersGarbageCursorDocument,
    "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n": typeof types.OrderFieldsFragmentDoc,
    "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit\n  }\n": typeof types.OrderErrorFieldsFragmentDoc,
    "\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.PayOrderDocument,
    "\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.CancelOrderDocument,
    "\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.RequestReturnDocument,
};
const documents: Documents = {
    "\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n": types.OrderByIdDocument,
    "\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n": types.MyOrdersPageDocument,
    "\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n": types.MyOrdersListFirstDocument,
    "\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n": types.MyOrdersListAfterDocument,
    "\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n": types.MyOrdersGarbageCursorDocument,
    "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n": types.OrderFieldsFragmentDoc,
    "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit\n  }\n": types.OrderErrorFieldsFragmentDoc,
    "\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.PlaceOrderDocument,
    "\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.PayOrderDocument,
    "\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.CancelOrderDocument,
    "\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.RequestReturnDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n"): (typeof documents)["\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n"): (typeof documents)["\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n"): (typeof documents)["\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n"): (typeof documents)["\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n"): (typeof documents)["\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n"): (typeof documents)["\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit\n  }\n"): (typeof documents)["\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"): (typeof documents)["\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"): (typeof documents)["\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"): (typeof documents)["\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"): (typeof documents)["\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;