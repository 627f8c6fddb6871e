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
    "\n  mutation RequestEmailVerification($email: String!) {\n    requestEmailVerification(email: $email) {\n      codeExpiresAt\n      userErrors { code message }\n    }\n  }\n": typeof types.RequestEmailVerificationDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user { id }\n      userErrors { code message field attemptsLeft }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  query AdminCatalog {\n    categories { id name }\n    products(first: 100) { edges { node { id name } } }\n  }\n": typeof types.AdminCatalogDocument,
    "\n  mutation CreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message } }\n  }\n": typeof types.CreateCategoryDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id name } userErrors { code message } }\n  }\n": typeof types.CreateProductDocument,
    "\n  mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {\n      product { id name saleOpensAt }\n      userErrors { code message }\n    }\n  }\n": typeof types.ScheduleSaleDocument,
    "\n  query LiveSale($id: ID!) {\n    product(id: $id) {\n      id name available stock saleState secondsUntilOpen secondsUntilClose\n      waitingRoomEnabled\n      waitingRoom { state waiting nowServing issued used noShows holding pace admitPerSecond }\n    }\n    productSalesStats(productId: $id) { ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid }\n  }\n": typeof types.LiveSaleDocument,
    "\n  query Cart {\n    me {\n      id\n      cart {\n        items { quantity unitPrice currency lineTotal product { id name } }\n        totalQuantity\n        subtotal { amount currency }\n      }\n    }\n  }\n": typeof types.CartDocument,
    "\n  mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {\n    changeCartQuantity(productId: $productId, delta: $delta) { cart { totalQuantity } userErrors { code message } }\n  }\n": typeof types.ChangeCartQuantityDocument,
    "\n  mutation RemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) { cart { totalQuantity } userErrors { code message } }\n  }\n": typeof types.RemoveFromCartDocument,
    "\n  mutation ClearCart {\n    clearCart { cart { totalQuantity } userErrors { code message } }\n  }\n": typeof types.ClearCartDocument,
    "\n  query Categories {\n    categories { id name }\n  }\n": typeof types.CategoriesDocument,
    "\n  query Products($after: String, $first: Int, $categoryId: ID) {\n    products(after: $after, first: $first, categoryId: $categoryId) {\n      edges {\n        cursor\n        node { id name price currency available saleState saleOpensAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.ProductsDocument,
    "\n  query UpcomingSales {\n    products(first: 100) {\n      edges { node { id name price currency saleState saleOpensAt serverTime } }\n    }\n  }\n": typeof types.UpcomingSalesDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message available limit opensAt reason place }\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  mutation PayOrder($orderId: ID!, $payment: PaymentInput!) {\n    payOrder(orderId: $orderId, payment: $payment) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message }\n    }\n  }\n": typeof types.PayOrderDocument,
    "\n  query MyOrders($after: String) {\n    me {\n      id\n      ordersConnection(first: 20, after: $after) {\n        edges {\n          node {\n            id status total currency createdAt deliveredAt reservationExpiresAt\n            items { quantity unitPrice product { id name } }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.MyOrdersDocument,
    "\n  mutation CancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n": typeof types.CancelOrderDocument,
    "\n  mutation RequestReturn($orderId: ID!) {\n    requestReturn(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n": typeof types.RequestReturnDocument,
    "\n  query Product($id: ID!) {\n    product(id: $id) {\n      id name description price currency available saleState saleOpensAt saleClosesAt maxPerCustomer serverTime\n      category { id name }\n      waitingRoomEnabled\n      waitingRoom { state nowServing waiting admitPerSecond }\n    }\n  }\n": typeof types.ProductDocument,
    "\n  mutation AddToCart($productId: ID!) {\n    addToCart(productId: $productId, quantity: 1) {\n      cart { totalQuantity }\n      userErrors { code message }\n    }\n  }\n": typeof types.AddToCartDocument,
    "\n  mutation RefreshTokens($refreshToken: String!) {\n    refreshTokens(refreshToken: $refreshToken) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n": typeof types.RefreshTokensDocument,
    "\n  mutation LogOut($refreshToken: String!) {\n    logOut(refreshToken: $refreshToken) { success }\n  }\n": typeof types.LogOutDocument,
};
const documents: Documents = {
    "\n  mutation RequestEmailVerification($email: String!) {\n    requestEmailVerification(email: $email) {\n      codeExpiresAt\n      userErrors { code message }\n    }\n  }\n": types.RequestEmailVerificationDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user { id }\n      userErrors { code message field attemptsLeft }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n": types.LogInDocument,
    "\n  query AdminCatalog {\n    categories { id name }\n    products(first: 100) { edges { node { id name } } }\n  }\n": types.AdminCatalogDocument,
    "\n  mutation CreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message } }\n  }\n": types.CreateCategoryDocument,
    "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id name } userErrors { code message } }\n  }\n": types.CreateProductDocument,
    "\n  mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {\n      product { id name saleOpensAt }\n      userErrors { code message }\n    }\n  }\n": types.ScheduleSaleDocument,
    "\n  query LiveSale($id: ID!) {\n    product(id: $id) {\n      id name available stock saleState secondsUntilOpen secondsUntilClose\n      waitingRoomEnabled\n      waitingRoom { state waiting nowServing issued used noShows holding pace admitPerSecond }\n    }\n    productSalesStats(productId: $id) { ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid }\n  }\n": types.LiveSaleDocument,
    "\n  query Cart {\n    me {\n      id\n      cart {\n        items { quantity unitPrice currency lineTotal product { id name } }\n        totalQuantity\n        subtotal { amount currency }\n      }\n    }\n  }\n": types.CartDocument,
    "\n  mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {\n    changeCartQuantity(productId: $productId, delta: $delta) { cart { totalQuantity } userErrors { code message } }\n  }\n": types.ChangeCartQuantityDocument,
    "\n  mutation RemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) { cart { totalQuantity } userErrors { code message } }\n  }\n": types.RemoveFromCartDocument,
    "\n  mutation ClearCart {\n    clearCart { cart { totalQuantity } userErrors { code message } }\n  }\n": types.ClearCartDocument,
    "\n  query Categories {\n    categories { id name }\n  }\n": types.CategoriesDocument,
    "\n  query Products($after: String, $first: Int, $categoryId: ID) {\n    products(after: $after, first: $first, categoryId: $categoryId) {\n      edges {\n        cursor\n        node { id name price currency available saleState saleOpensAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.ProductsDocument,
    "\n  query UpcomingSales {\n    products(first: 100) {\n      edges { node { id name price currency saleState saleOpensAt serverTime } }\n    }\n  }\n": types.UpcomingSalesDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message available limit opensAt reason place }\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  mutation PayOrder($orderId: ID!, $payment: PaymentInput!) {\n    payOrder(orderId: $orderId, payment: $payment) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message }\n    }\n  }\n": types.PayOrderDocument,
    "\n  query MyOrders($after: String) {\n    me {\n      id\n      ordersConnection(first: 20, after: $after) {\n        edges {\n          node {\n            id status total currency createdAt deliveredAt reservationExpiresAt\n            items { quantity unitPrice product { id name } }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.MyOrdersDocument,
    "\n  mutation CancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n": types.CancelOrderDocument,
    "\n  mutation RequestReturn($orderId: ID!) {\n    requestReturn(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n": types.RequestReturnDocument,
    "\n  query Product($id: ID!) {\n    product(id: $id) {\n      id name description price currency available saleState saleOpensAt saleClosesAt maxPerCustomer serverTime\n      category { id name }\n      waitingRoomEnabled\n      waitingRoom { state nowServing waiting admitPerSecond }\n    }\n  }\n": types.ProductDocument,
    "\n  mutation AddToCart($productId: ID!) {\n    addToCart(productId: $productId, quantity: 1) {\n      cart { totalQuantity }\n      userErrors { code message }\n    }\n  }\n": types.AddToCartDocument,
    "\n  mutation RefreshTokens($refreshToken: String!) {\n    refreshTokens(refreshToken: $refreshToken) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n": types.RefreshTokensDocument,
    "\n  mutation LogOut($refreshToken: String!) {\n    logOut(refreshToken: $refreshToken) { success }\n  }\n": types.LogOutDocument,
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
export function graphql(source: "\n  mutation RequestEmailVerification($email: String!) {\n    requestEmailVerification(email: $email) {\n      codeExpiresAt\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestEmailVerification($email: String!) {\n    requestEmailVerification(email: $email) {\n      codeExpiresAt\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user { id }\n      userErrors { code message field attemptsLeft }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      user { id }\n      userErrors { code message field attemptsLeft }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminCatalog {\n    categories { id name }\n    products(first: 100) { edges { node { id name } } }\n  }\n"): (typeof documents)["\n  query AdminCatalog {\n    categories { id name }\n    products(first: 100) { edges { node { id name } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation CreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id name } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation CreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id name } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {\n      product { id name saleOpensAt }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int, $waitingRoom: Boolean) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {\n      product { id name saleOpensAt }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveSale($id: ID!) {\n    product(id: $id) {\n      id name available stock saleState secondsUntilOpen secondsUntilClose\n      waitingRoomEnabled\n      waitingRoom { state waiting nowServing issued used noShows holding pace admitPerSecond }\n    }\n    productSalesStats(productId: $id) { ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid }\n  }\n"): (typeof documents)["\n  query LiveSale($id: ID!) {\n    product(id: $id) {\n      id name available stock saleState secondsUntilOpen secondsUntilClose\n      waitingRoomEnabled\n      waitingRoom { state waiting nowServing issued used noShows holding pace admitPerSecond }\n    }\n    productSalesStats(productId: $id) { ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Cart {\n    me {\n      id\n      cart {\n        items { quantity unitPrice currency lineTotal product { id name } }\n        totalQuantity\n        subtotal { amount currency }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Cart {\n    me {\n      id\n      cart {\n        items { quantity unitPrice currency lineTotal product { id name } }\n        totalQuantity\n        subtotal { amount currency }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {\n    changeCartQuantity(productId: $productId, delta: $delta) { cart { totalQuantity } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {\n    changeCartQuantity(productId: $productId, delta: $delta) { cart { totalQuantity } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) { cart { totalQuantity } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation RemoveFromCart($productId: ID!) {\n    removeFromCart(productId: $productId) { cart { totalQuantity } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearCart {\n    clearCart { cart { totalQuantity } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation ClearCart {\n    clearCart { cart { totalQuantity } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Categories {\n    categories { id name }\n  }\n"): (typeof documents)["\n  query Categories {\n    categories { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Products($after: String, $first: Int, $categoryId: ID) {\n    products(after: $after, first: $first, categoryId: $categoryId) {\n      edges {\n        cursor\n        node { id name price currency available saleState saleOpensAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Products($after: String, $first: Int, $categoryId: ID) {\n    products(after: $after, first: $first, categoryId: $categoryId) {\n      edges {\n        cursor\n        node { id name price currency available saleState saleOpensAt }\n      }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UpcomingSales {\n    products(first: 100) {\n      edges { node { id name price currency saleState saleOpensAt serverTime } }\n    }\n  }\n"): (typeof documents)["\n  query UpcomingSales {\n    products(first: 100) {\n      edges { node { id name price currency saleState saleOpensAt serverTime } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message available limit opensAt reason place }\n    }\n  }\n"): (typeof documents)["\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message available limit opensAt reason place }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PayOrder($orderId: ID!, $payment: PaymentInput!) {\n    payOrder(orderId: $orderId, payment: $payment) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation PayOrder($orderId: ID!, $payment: PaymentInput!) {\n    payOrder(orderId: $orderId, payment: $payment) {\n      order { id status total currency reservationExpiresAt }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyOrders($after: String) {\n    me {\n      id\n      ordersConnection(first: 20, after: $after) {\n        edges {\n          node {\n            id status total currency createdAt deliveredAt reservationExpiresAt\n            items { quantity unitPrice product { id name } }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyOrders($after: String) {\n    me {\n      id\n      ordersConnection(first: 20, after: $after) {\n        edges {\n          node {\n            id status total currency createdAt deliveredAt reservationExpiresAt\n            items { quantity unitPrice product { id name } }\n          }\n        }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelOrder($orderId: ID!) {\n    cancelOrder(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestReturn($orderId: ID!) {\n    requestReturn(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestReturn($orderId: ID!) {\n    requestReturn(orderId: $orderId) {\n      order { id status }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Product($id: ID!) {\n    product(id: $id) {\n      id name description price currency available saleState saleOpensAt saleClosesAt maxPerCustomer serverTime\n      category { id name }\n      waitingRoomEnabled\n      waitingRoom { state nowServing waiting admitPerSecond }\n    }\n  }\n"): (typeof documents)["\n  query Product($id: ID!) {\n    product(id: $id) {\n      id name description price currency available saleState saleOpensAt saleClosesAt maxPerCustomer serverTime\n      category { id name }\n      waitingRoomEnabled\n      waitingRoom { state nowServing waiting admitPerSecond }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddToCart($productId: ID!) {\n    addToCart(productId: $productId, quantity: 1) {\n      cart { totalQuantity }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation AddToCart($productId: ID!) {\n    addToCart(productId: $productId, quantity: 1) {\n      cart { totalQuantity }\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshTokens($refreshToken: String!) {\n    refreshTokens(refreshToken: $refreshToken) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshTokens($refreshToken: String!) {\n    refreshTokens(refreshToken: $refreshToken) {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      userErrors { code message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut($refreshToken: String!) {\n    logOut(refreshToken: $refreshToken) { success }\n  }\n"): (typeof documents)["\n  mutation LogOut($refreshToken: String!) {\n    logOut(refreshToken: $refreshToken) { success }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;