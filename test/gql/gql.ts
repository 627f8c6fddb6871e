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
    "\n  mutation BrowserLineAddUnits($id: ID!, $stock: Int!) {\n    updateProduct(id: $id, input: { stock: $stock }) { product { id stock } userErrors { code message } }\n  }\n": typeof types.BrowserLineAddUnitsDocument,
    "\n  mutation AbuseRequestCode($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }\n": typeof types.AbuseRequestCodeDocument,
    "mutation AbuseCreateInactiveProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }": typeof types.AbuseCreateInactiveProductDocument,
    "\n  mutation CartEventsAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { userErrors { code } } }\n": typeof types.CartEventsAddDocument,
    "\n  mutation CartEventsChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { userErrors { code } } }\n": typeof types.CartEventsChangeDocument,
    "\n  fragment CartFields on Cart { items { product { id } quantity unitPrice currency lineTotal } totalQuantity subtotal { amount currency } }\n": typeof types.CartFieldsFragmentDoc,
    "\n  fragment CartPayloadFields on CartPayload { cart { ...CartFields } userErrors { code message field productId limit currentQuantity } }\n": typeof types.CartPayloadFieldsFragmentDoc,
    "\n  mutation CartAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { ...CartPayloadFields } }\n": typeof types.CartAddDocument,
    "\n  mutation CartChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { ...CartPayloadFields } }\n": typeof types.CartChangeDocument,
    "\n  mutation CartRemove($productId: ID!) { removeFromCart(productId: $productId) { ...CartPayloadFields } }\n": typeof types.CartRemoveDocument,
    "\n  mutation CartClear { clearCart { ...CartPayloadFields } }\n": typeof types.CartClearDocument,
    "\n  query CartMine { me { id cart { ...CartFields } } }\n": typeof types.CartMineDocument,
    "query CartProductNames { me { cart { items { product { id name } quantity } } } }": typeof types.CartProductNamesDocument,
    "query FederationOrderProducts { me { ordersConnection(first: 5) { edges { node { items { quantity product { id name price available saleState category { id name } } } } } } } }": typeof types.FederationOrderProductsDocument,
    "\n    mutation StockUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { price stock available } userErrors { code } } }\n  ": typeof types.StockUpdateProductDocument,
    "\n  fragment CatalogProductFields on Product {\n    id name description price currency stock available saleState saleOpensAt saleClosesAt maxPerCustomer active secondsUntilOpen secondsUntilClose serverTime category { id name }\n  }\n": typeof types.CatalogProductFieldsFragmentDoc,
    "\n  fragment CatalogProductPayload on ProductPayload { product { ...CatalogProductFields } userErrors { code message field reserved } }\n": typeof types.CatalogProductPayloadFragmentDoc,
    "\n  mutation CatalogCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { ...CatalogProductPayload } }\n": typeof types.CatalogCreateProductDocument,
    "\n  mutation CatalogUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ...CatalogProductPayload } }\n": typeof types.CatalogUpdateProductDocument,
    "\n  mutation CatalogScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer) { ...CatalogProductPayload }\n  }\n": typeof types.CatalogScheduleSaleDocument,
    "\n  mutation CatalogCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name parent { id name } } userErrors { code message field } }\n  }\n": typeof types.CatalogCreateCategoryDocument,
    "\n  query CatalogProductsPage($categoryId: ID, $first: Int, $after: String) {\n    products(categoryId: $categoryId, first: $first, after: $after) {\n      edges { cursor node { id name category { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.CatalogProductsPageDocument,
    "query CatalogUnknownCategory($categoryId: ID) { products(categoryId: $categoryId) { edges { cursor } pageInfo { hasNextPage endCursor } } }": typeof types.CatalogUnknownCategoryDocument,
    "query CatalogProductsFirst($first: Int) { products(first: $first) { edges { cursor } } }": typeof types.CatalogProductsFirstDocument,
    "query CatalogProductsAfter($after: String) { products(after: $after) { edges { cursor } } }": typeof types.CatalogProductsAfterDocument,
    "query CatalogCategories { categories { id name parent { id name } } }": typeof types.CatalogCategoriesDocument,
    "query CatalogProduct($id: ID!) { product(id: $id) { ...CatalogProductFields } }": typeof types.CatalogProductDocument,
    "query CatalogSaleCountdown($id: ID!) { product(id: $id) { saleState saleOpensAt saleClosesAt secondsUntilOpen secondsUntilClose serverTime } }": typeof types.CatalogSaleCountdownDocument,
    "query CatalogSaleStates($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { saleState available } b: product(id: $b) { saleState available } c: product(id: $c) { saleState } }": typeof types.CatalogSaleStatesDocument,
    "query CatalogUnknownProduct($id: ID!) { product(id: $id) { id } }": typeof types.CatalogUnknownProductDocument,
    "query FoundationCatalog($id: ID!) { product(id: $id) { id name price available category { name } } categories { name } }": typeof types.FoundationCatalogDocument,
    "query FoundationAcrossSubgraphs { me { id cart { items { product { id } } totalQuantity } orders { id } } }": typeof types.FoundationAcrossSubgraphsDocument,
    "query LimitsOrdinaryQuery { categories { id name } }": typeof types.LimitsOrdinaryQueryDocument,
    "query LimitsRateLimitedField { product(id: \"00000000-0000-0000-0000-000000000000\") { id } }": typeof types.LimitsRateLimitedFieldDocument,
    "query OperatorMeRoles { me { id roles createdAt } }": typeof types.OperatorMeRolesDocument,
    "\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n": typeof types.OrderByIdDocument,
    "\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n": typeof types.MyOrdersPageDocument,
    "\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n": typeof types.MyOrdersListFirstDocument,
    "\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n": typeof types.MyOrdersListAfterDocument,
    "\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n": typeof types.MyOrdersGarbageCursorDocument,
    "query OverloadOrderRead($id: ID!) { order(id: $id) { id } }": typeof types.OverloadOrderReadDocument,
    "\n  query SalesStats($id: ID!) { productSalesStats(productId: $id) { productId ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid } }\n": typeof types.SalesStatsDocument,
    "\n  mutation LogOutEverywhere { logOutEverywhere { success revokedSessions userErrors { code } } }\n": typeof types.LogOutEverywhereDocument,
    "\n  mutation ChangePassword($old: String!, $new: String!) {\n    changePassword(oldPassword: $old, newPassword: $new) { accessToken refreshToken userErrors { code message field } }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name phone address } userErrors { code } } }\n": typeof types.UpdateProfileDocument,
    "\n  mutation RequestVerificationCode($email: String!) {\n    requestEmailVerification(email: $email) { codeExpiresAt resendAvailableAt userErrors { code message field } }\n  }\n": typeof types.RequestVerificationCodeDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { user { id email name phone address roles } userErrors { code message field attemptsLeft } }\n  }\n": typeof types.SignUpDocument,
    "query TokensMeName { me { id name } }": typeof types.TokensMeNameDocument,
    "query TokensMeEmail { me { id email } }": typeof types.TokensMeEmailDocument,
    "mutation TokensRename { updateProfile(input: { name: \"Hacked\" }) { user { name } } }": typeof types.TokensRenameDocument,
    "\n  query ProductLine($id: ID!) { product(id: $id) { id waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond issued used noShows holding } } }\n": typeof types.ProductLineDocument,
    "\n  query CategoryIds { categories { id } }\n": typeof types.CategoryIdsDocument,
    "\n  mutation FixtureCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message field } }\n  }\n": typeof types.FixtureCreateCategoryDocument,
    "\n  mutation FixtureCreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id } userErrors { code message field } }\n  }\n": typeof types.FixtureCreateProductDocument,
    "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n": typeof types.OrderFieldsFragmentDoc,
    "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit reason place\n  }\n": typeof types.OrderErrorFieldsFragmentDoc,
    "\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.PayOrderDocument,
    "\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.CancelOrderDocument,
    "\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": typeof types.RequestReturnDocument,
    "\n  mutation PlaceOrderReturningId($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }\n": typeof types.PlaceOrderReturningIdDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email roles } userErrors { code message field }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  mutation RefreshTokens($t: String!) {\n    refreshTokens(refreshToken: $t) { accessToken refreshToken user { id roles } userErrors { code message field } }\n  }\n": typeof types.RefreshTokensDocument,
    "\n  mutation LogOut($t: String!) { logOut(refreshToken: $t) { success revokedSessions userErrors { code message } } }\n": typeof types.LogOutDocument,
    "\n  query MeId { me { id } }\n": typeof types.MeIdDocument,
    "\n  query Me { me { id email name phone address roles } }\n": typeof types.MeDocument,
    "\n  mutation FixtureScheduleLineSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: true) {\n      product { id waitingRoomEnabled }\n      userErrors { code message }\n    }\n  }\n": typeof types.FixtureScheduleLineSaleDocument,
};
const documents: Documents = {
    "\n  mutation BrowserLineAddUnits($id: ID!, $stock: Int!) {\n    updateProduct(id: $id, input: { stock: $stock }) { product { id stock } userErrors { code message } }\n  }\n": types.BrowserLineAddUnitsDocument,
    "\n  mutation AbuseRequestCode($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }\n": types.AbuseRequestCodeDocument,
    "mutation AbuseCreateInactiveProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }": types.AbuseCreateInactiveProductDocument,
    "\n  mutation CartEventsAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { userErrors { code } } }\n": types.CartEventsAddDocument,
    "\n  mutation CartEventsChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { userErrors { code } } }\n": types.CartEventsChangeDocument,
    "\n  fragment CartFields on Cart { items { product { id } quantity unitPrice currency lineTotal } totalQuantity subtotal { amount currency } }\n": types.CartFieldsFragmentDoc,
    "\n  fragment CartPayloadFields on CartPayload { cart { ...CartFields } userErrors { code message field productId limit currentQuantity } }\n": types.CartPayloadFieldsFragmentDoc,
    "\n  mutation CartAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { ...CartPayloadFields } }\n": types.CartAddDocument,
    "\n  mutation CartChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { ...CartPayloadFields } }\n": types.CartChangeDocument,
    "\n  mutation CartRemove($productId: ID!) { removeFromCart(productId: $productId) { ...CartPayloadFields } }\n": types.CartRemoveDocument,
    "\n  mutation CartClear { clearCart { ...CartPayloadFields } }\n": types.CartClearDocument,
    "\n  query CartMine { me { id cart { ...CartFields } } }\n": types.CartMineDocument,
    "query CartProductNames { me { cart { items { product { id name } quantity } } } }": types.CartProductNamesDocument,
    "query FederationOrderProducts { me { ordersConnection(first: 5) { edges { node { items { quantity product { id name price available saleState category { id name } } } } } } } }": types.FederationOrderProductsDocument,
    "\n    mutation StockUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { price stock available } userErrors { code } } }\n  ": types.StockUpdateProductDocument,
    "\n  fragment CatalogProductFields on Product {\n    id name description price currency stock available saleState saleOpensAt saleClosesAt maxPerCustomer active secondsUntilOpen secondsUntilClose serverTime category { id name }\n  }\n": types.CatalogProductFieldsFragmentDoc,
    "\n  fragment CatalogProductPayload on ProductPayload { product { ...CatalogProductFields } userErrors { code message field reserved } }\n": types.CatalogProductPayloadFragmentDoc,
    "\n  mutation CatalogCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { ...CatalogProductPayload } }\n": types.CatalogCreateProductDocument,
    "\n  mutation CatalogUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ...CatalogProductPayload } }\n": types.CatalogUpdateProductDocument,
    "\n  mutation CatalogScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer) { ...CatalogProductPayload }\n  }\n": types.CatalogScheduleSaleDocument,
    "\n  mutation CatalogCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name parent { id name } } userErrors { code message field } }\n  }\n": types.CatalogCreateCategoryDocument,
    "\n  query CatalogProductsPage($categoryId: ID, $first: Int, $after: String) {\n    products(categoryId: $categoryId, first: $first, after: $after) {\n      edges { cursor node { id name category { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.CatalogProductsPageDocument,
    "query CatalogUnknownCategory($categoryId: ID) { products(categoryId: $categoryId) { edges { cursor } pageInfo { hasNextPage endCursor } } }": types.CatalogUnknownCategoryDocument,
    "query CatalogProductsFirst($first: Int) { products(first: $first) { edges { cursor } } }": types.CatalogProductsFirstDocument,
    "query CatalogProductsAfter($after: String) { products(after: $after) { edges { cursor } } }": types.CatalogProductsAfterDocument,
    "query CatalogCategories { categories { id name parent { id name } } }": types.CatalogCategoriesDocument,
    "query CatalogProduct($id: ID!) { product(id: $id) { ...CatalogProductFields } }": types.CatalogProductDocument,
    "query CatalogSaleCountdown($id: ID!) { product(id: $id) { saleState saleOpensAt saleClosesAt secondsUntilOpen secondsUntilClose serverTime } }": types.CatalogSaleCountdownDocument,
    "query CatalogSaleStates($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { saleState available } b: product(id: $b) { saleState available } c: product(id: $c) { saleState } }": types.CatalogSaleStatesDocument,
    "query CatalogUnknownProduct($id: ID!) { product(id: $id) { id } }": types.CatalogUnknownProductDocument,
    "query FoundationCatalog($id: ID!) { product(id: $id) { id name price available category { name } } categories { name } }": types.FoundationCatalogDocument,
    "query FoundationAcrossSubgraphs { me { id cart { items { product { id } } totalQuantity } orders { id } } }": types.FoundationAcrossSubgraphsDocument,
    "query LimitsOrdinaryQuery { categories { id name } }": types.LimitsOrdinaryQueryDocument,
    "query LimitsRateLimitedField { product(id: \"00000000-0000-0000-0000-000000000000\") { id } }": types.LimitsRateLimitedFieldDocument,
    "query OperatorMeRoles { me { id roles createdAt } }": types.OperatorMeRolesDocument,
    "\n  query OrderById($id: ID!) { order(id: $id) { id status items { quantity product { id name } } } }\n": types.OrderByIdDocument,
    "\n  query MyOrdersPage($after: String) {\n    me { ordersConnection(first: 2, after: $after) { edges { cursor node { ...OrderFields items { product { name } } } } pageInfo { hasNextPage endCursor } } }\n  }\n": types.MyOrdersPageDocument,
    "\n  query MyOrdersListFirst { me { orders(first: 3) { id cursor } } }\n": types.MyOrdersListFirstDocument,
    "\n  query MyOrdersListAfter($after: String) { me { orders(first: 3, after: $after) { id } } }\n": types.MyOrdersListAfterDocument,
    "\n  query MyOrdersGarbageCursor { me { ordersConnection(after: \"garbage\") { edges { cursor } } } }\n": types.MyOrdersGarbageCursorDocument,
    "query OverloadOrderRead($id: ID!) { order(id: $id) { id } }": types.OverloadOrderReadDocument,
    "\n  query SalesStats($id: ID!) { productSalesStats(productId: $id) { productId ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid } }\n": types.SalesStatsDocument,
    "\n  mutation LogOutEverywhere { logOutEverywhere { success revokedSessions userErrors { code } } }\n": types.LogOutEverywhereDocument,
    "\n  mutation ChangePassword($old: String!, $new: String!) {\n    changePassword(oldPassword: $old, newPassword: $new) { accessToken refreshToken userErrors { code message field } }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name phone address } userErrors { code } } }\n": types.UpdateProfileDocument,
    "\n  mutation RequestVerificationCode($email: String!) {\n    requestEmailVerification(email: $email) { codeExpiresAt resendAvailableAt userErrors { code message field } }\n  }\n": types.RequestVerificationCodeDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { user { id email name phone address roles } userErrors { code message field attemptsLeft } }\n  }\n": types.SignUpDocument,
    "query TokensMeName { me { id name } }": types.TokensMeNameDocument,
    "query TokensMeEmail { me { id email } }": types.TokensMeEmailDocument,
    "mutation TokensRename { updateProfile(input: { name: \"Hacked\" }) { user { name } } }": types.TokensRenameDocument,
    "\n  query ProductLine($id: ID!) { product(id: $id) { id waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond issued used noShows holding } } }\n": types.ProductLineDocument,
    "\n  query CategoryIds { categories { id } }\n": types.CategoryIdsDocument,
    "\n  mutation FixtureCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message field } }\n  }\n": types.FixtureCreateCategoryDocument,
    "\n  mutation FixtureCreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id } userErrors { code message field } }\n  }\n": types.FixtureCreateProductDocument,
    "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n": types.OrderFieldsFragmentDoc,
    "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit reason place\n  }\n": types.OrderErrorFieldsFragmentDoc,
    "\n  mutation placeOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.PlaceOrderDocument,
    "\n  mutation payOrder($id: ID!, $card: String!) {\n    payOrder(orderId: $id, payment: { cardNumber: $card }) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.PayOrderDocument,
    "\n  mutation cancelOrder($id: ID!) {\n    cancelOrder(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.CancelOrderDocument,
    "\n  mutation requestReturn($id: ID!) {\n    requestReturn(orderId: $id) { order { ...OrderFields } userErrors { ...OrderErrorFields } }\n  }\n": types.RequestReturnDocument,
    "\n  mutation PlaceOrderReturningId($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }\n": types.PlaceOrderReturningIdDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email roles } userErrors { code message field }\n    }\n  }\n": types.LogInDocument,
    "\n  mutation RefreshTokens($t: String!) {\n    refreshTokens(refreshToken: $t) { accessToken refreshToken user { id roles } userErrors { code message field } }\n  }\n": types.RefreshTokensDocument,
    "\n  mutation LogOut($t: String!) { logOut(refreshToken: $t) { success revokedSessions userErrors { code message } } }\n": types.LogOutDocument,
    "\n  query MeId { me { id } }\n": types.MeIdDocument,
    "\n  query Me { me { id email name phone address roles } }\n": types.MeDocument,
    "\n  mutation FixtureScheduleLineSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: true) {\n      product { id waitingRoomEnabled }\n      userErrors { code message }\n    }\n  }\n": types.FixtureScheduleLineSaleDocument,
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
export function graphql(source: "\n  mutation BrowserLineAddUnits($id: ID!, $stock: Int!) {\n    updateProduct(id: $id, input: { stock: $stock }) { product { id stock } userErrors { code message } }\n  }\n"): (typeof documents)["\n  mutation BrowserLineAddUnits($id: ID!, $stock: Int!) {\n    updateProduct(id: $id, input: { stock: $stock }) { product { id stock } userErrors { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AbuseRequestCode($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }\n"): (typeof documents)["\n  mutation AbuseRequestCode($e: String!) { requestEmailVerification(email: $e) { userErrors { code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AbuseCreateInactiveProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }"): (typeof documents)["mutation AbuseCreateInactiveProduct($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { code } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartEventsAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { userErrors { code } } }\n"): (typeof documents)["\n  mutation CartEventsAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { userErrors { code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartEventsChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { userErrors { code } } }\n"): (typeof documents)["\n  mutation CartEventsChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { userErrors { code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CartFields on Cart { items { product { id } quantity unitPrice currency lineTotal } totalQuantity subtotal { amount currency } }\n"): (typeof documents)["\n  fragment CartFields on Cart { items { product { id } quantity unitPrice currency lineTotal } totalQuantity subtotal { amount currency } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CartPayloadFields on CartPayload { cart { ...CartFields } userErrors { code message field productId limit currentQuantity } }\n"): (typeof documents)["\n  fragment CartPayloadFields on CartPayload { cart { ...CartFields } userErrors { code message field productId limit currentQuantity } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { ...CartPayloadFields } }\n"): (typeof documents)["\n  mutation CartAdd($productId: ID!, $quantity: Int) { addToCart(productId: $productId, quantity: $quantity) { ...CartPayloadFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { ...CartPayloadFields } }\n"): (typeof documents)["\n  mutation CartChange($productId: ID!, $delta: Int!) { changeCartQuantity(productId: $productId, delta: $delta) { ...CartPayloadFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartRemove($productId: ID!) { removeFromCart(productId: $productId) { ...CartPayloadFields } }\n"): (typeof documents)["\n  mutation CartRemove($productId: ID!) { removeFromCart(productId: $productId) { ...CartPayloadFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CartClear { clearCart { ...CartPayloadFields } }\n"): (typeof documents)["\n  mutation CartClear { clearCart { ...CartPayloadFields } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CartMine { me { id cart { ...CartFields } } }\n"): (typeof documents)["\n  query CartMine { me { id cart { ...CartFields } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CartProductNames { me { cart { items { product { id name } quantity } } } }"): (typeof documents)["query CartProductNames { me { cart { items { product { id name } quantity } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FederationOrderProducts { me { ordersConnection(first: 5) { edges { node { items { quantity product { id name price available saleState category { id name } } } } } } } }"): (typeof documents)["query FederationOrderProducts { me { ordersConnection(first: 5) { edges { node { items { quantity product { id name price available saleState category { id name } } } } } } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    mutation StockUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { price stock available } userErrors { code } } }\n  "): (typeof documents)["\n    mutation StockUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { product { price stock available } userErrors { code } } }\n  "];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CatalogProductFields on Product {\n    id name description price currency stock available saleState saleOpensAt saleClosesAt maxPerCustomer active secondsUntilOpen secondsUntilClose serverTime category { id name }\n  }\n"): (typeof documents)["\n  fragment CatalogProductFields on Product {\n    id name description price currency stock available saleState saleOpensAt saleClosesAt maxPerCustomer active secondsUntilOpen secondsUntilClose serverTime category { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CatalogProductPayload on ProductPayload { product { ...CatalogProductFields } userErrors { code message field reserved } }\n"): (typeof documents)["\n  fragment CatalogProductPayload on ProductPayload { product { ...CatalogProductFields } userErrors { code message field reserved } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CatalogCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { ...CatalogProductPayload } }\n"): (typeof documents)["\n  mutation CatalogCreateProduct($input: CreateProductInput!) { createProduct(input: $input) { ...CatalogProductPayload } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CatalogUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ...CatalogProductPayload } }\n"): (typeof documents)["\n  mutation CatalogUpdateProduct($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ...CatalogProductPayload } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CatalogScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer) { ...CatalogProductPayload }\n  }\n"): (typeof documents)["\n  mutation CatalogScheduleSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer) { ...CatalogProductPayload }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CatalogCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name parent { id name } } userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation CatalogCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name parent { id name } } userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CatalogProductsPage($categoryId: ID, $first: Int, $after: String) {\n    products(categoryId: $categoryId, first: $first, after: $after) {\n      edges { cursor node { id name category { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query CatalogProductsPage($categoryId: ID, $first: Int, $after: String) {\n    products(categoryId: $categoryId, first: $first, after: $after) {\n      edges { cursor node { id name category { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogUnknownCategory($categoryId: ID) { products(categoryId: $categoryId) { edges { cursor } pageInfo { hasNextPage endCursor } } }"): (typeof documents)["query CatalogUnknownCategory($categoryId: ID) { products(categoryId: $categoryId) { edges { cursor } pageInfo { hasNextPage endCursor } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogProductsFirst($first: Int) { products(first: $first) { edges { cursor } } }"): (typeof documents)["query CatalogProductsFirst($first: Int) { products(first: $first) { edges { cursor } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogProductsAfter($after: String) { products(after: $after) { edges { cursor } } }"): (typeof documents)["query CatalogProductsAfter($after: String) { products(after: $after) { edges { cursor } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogCategories { categories { id name parent { id name } } }"): (typeof documents)["query CatalogCategories { categories { id name parent { id name } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogProduct($id: ID!) { product(id: $id) { ...CatalogProductFields } }"): (typeof documents)["query CatalogProduct($id: ID!) { product(id: $id) { ...CatalogProductFields } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogSaleCountdown($id: ID!) { product(id: $id) { saleState saleOpensAt saleClosesAt secondsUntilOpen secondsUntilClose serverTime } }"): (typeof documents)["query CatalogSaleCountdown($id: ID!) { product(id: $id) { saleState saleOpensAt saleClosesAt secondsUntilOpen secondsUntilClose serverTime } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogSaleStates($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { saleState available } b: product(id: $b) { saleState available } c: product(id: $c) { saleState } }"): (typeof documents)["query CatalogSaleStates($a: ID!, $b: ID!, $c: ID!) { a: product(id: $a) { saleState available } b: product(id: $b) { saleState available } c: product(id: $c) { saleState } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CatalogUnknownProduct($id: ID!) { product(id: $id) { id } }"): (typeof documents)["query CatalogUnknownProduct($id: ID!) { product(id: $id) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FoundationCatalog($id: ID!) { product(id: $id) { id name price available category { name } } categories { name } }"): (typeof documents)["query FoundationCatalog($id: ID!) { product(id: $id) { id name price available category { name } } categories { name } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query FoundationAcrossSubgraphs { me { id cart { items { product { id } } totalQuantity } orders { id } } }"): (typeof documents)["query FoundationAcrossSubgraphs { me { id cart { items { product { id } } totalQuantity } orders { id } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LimitsOrdinaryQuery { categories { id name } }"): (typeof documents)["query LimitsOrdinaryQuery { categories { id name } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LimitsRateLimitedField { product(id: \"00000000-0000-0000-0000-000000000000\") { id } }"): (typeof documents)["query LimitsRateLimitedField { product(id: \"00000000-0000-0000-0000-000000000000\") { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query OperatorMeRoles { me { id roles createdAt } }"): (typeof documents)["query OperatorMeRoles { me { id roles createdAt } }"];
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
export function graphql(source: "query OverloadOrderRead($id: ID!) { order(id: $id) { id } }"): (typeof documents)["query OverloadOrderRead($id: ID!) { order(id: $id) { id } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SalesStats($id: ID!) { productSalesStats(productId: $id) { productId ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid } }\n"): (typeof documents)["\n  query SalesStats($id: ID!) { productSalesStats(productId: $id) { productId ordersPlaced ordersPaid ordersAwaitingPayment unitsPaid } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOutEverywhere { logOutEverywhere { success revokedSessions userErrors { code } } }\n"): (typeof documents)["\n  mutation LogOutEverywhere { logOutEverywhere { success revokedSessions userErrors { code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($old: String!, $new: String!) {\n    changePassword(oldPassword: $old, newPassword: $new) { accessToken refreshToken userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($old: String!, $new: String!) {\n    changePassword(oldPassword: $old, newPassword: $new) { accessToken refreshToken userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name phone address } userErrors { code } } }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id name phone address } userErrors { code } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestVerificationCode($email: String!) {\n    requestEmailVerification(email: $email) { codeExpiresAt resendAvailableAt userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation RequestVerificationCode($email: String!) {\n    requestEmailVerification(email: $email) { codeExpiresAt resendAvailableAt userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { user { id email name phone address roles } userErrors { code message field attemptsLeft } }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { user { id email name phone address roles } userErrors { code message field attemptsLeft } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TokensMeName { me { id name } }"): (typeof documents)["query TokensMeName { me { id name } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TokensMeEmail { me { id email } }"): (typeof documents)["query TokensMeEmail { me { id email } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation TokensRename { updateProfile(input: { name: \"Hacked\" }) { user { name } } }"): (typeof documents)["mutation TokensRename { updateProfile(input: { name: \"Hacked\" }) { user { name } } }"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductLine($id: ID!) { product(id: $id) { id waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond issued used noShows holding } } }\n"): (typeof documents)["\n  query ProductLine($id: ID!) { product(id: $id) { id waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond issued used noShows holding } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CategoryIds { categories { id } }\n"): (typeof documents)["\n  query CategoryIds { categories { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FixtureCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation FixtureCreateCategory($input: CreateCategoryInput!) {\n    createCategory(input: $input) { category { id name } userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FixtureCreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id } userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation FixtureCreateProduct($input: CreateProductInput!) {\n    createProduct(input: $input) { product { id } userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n"): (typeof documents)["\n  fragment OrderFields on Order {\n    id status total currency reservationExpiresAt paidAt deliveredAt returnRequestedAt createdAt\n    items { quantity unitPrice product { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit reason place\n  }\n"): (typeof documents)["\n  fragment OrderErrorFields on OrderError {\n    code message field productId available opensAt closesAt limit reason place\n  }\n"];
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrderReturningId($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }\n"): (typeof documents)["\n  mutation PlaceOrderReturningId($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } userErrors { code message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email roles } userErrors { code message field }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt user { id email roles } userErrors { code message field }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshTokens($t: String!) {\n    refreshTokens(refreshToken: $t) { accessToken refreshToken user { id roles } userErrors { code message field } }\n  }\n"): (typeof documents)["\n  mutation RefreshTokens($t: String!) {\n    refreshTokens(refreshToken: $t) { accessToken refreshToken user { id roles } userErrors { code message field } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut($t: String!) { logOut(refreshToken: $t) { success revokedSessions userErrors { code message } } }\n"): (typeof documents)["\n  mutation LogOut($t: String!) { logOut(refreshToken: $t) { success revokedSessions userErrors { code message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MeId { me { id } }\n"): (typeof documents)["\n  query MeId { me { id } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me { me { id email name phone address roles } }\n"): (typeof documents)["\n  query Me { me { id email name phone address roles } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FixtureScheduleLineSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: true) {\n      product { id waitingRoomEnabled }\n      userErrors { code message }\n    }\n  }\n"): (typeof documents)["\n  mutation FixtureScheduleLineSale($productId: ID!, $opensAt: DateTime!, $closesAt: DateTime, $stock: Int!, $maxPerCustomer: Int) {\n    scheduleSale(productId: $productId, opensAt: $opensAt, closesAt: $closesAt, stock: $stock, maxPerCustomer: $maxPerCustomer, waitingRoom: true) {\n      product { id waitingRoomEnabled }\n      userErrors { code message }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;