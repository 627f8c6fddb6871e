// @ts-check
/**
 * Every GraphQL document the k6 scripts send, in one place so a jest test can validate them all
 * against the committed supergraph (schema/supergraph.graphql): a renamed field or argument then
 * fails `npm test` here instead of silently turning a load run into thousands of validation errors.
 */

const CART_FIELDS = 'cart { items { quantity product { id } } totalQuantity }';

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } userErrors { code message } }
}`;

/** placeOrder on a waiting-room sale: the ticket goes in the input; `reason` tells NOT_ADMITTED apart. */
export const PLACE_ORDER_WITH_TICKET = `mutation PlaceOrderWithTicket($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } userErrors { code message reason place } }
}`;

export const SCHEDULE_SALE = `mutation ScheduleSale($productId: ID!, $opensAt: DateTime!, $stock: Int!, $closesAt: DateTime, $maxPerCustomer: Int, $waitingRoom: Boolean) {
  scheduleSale(productId: $productId, opensAt: $opensAt, stock: $stock, closesAt: $closesAt, maxPerCustomer: $maxPerCustomer, waitingRoom: $waitingRoom) {
    product { id } userErrors { code message }
  }
}`;

export const PRODUCT_LINE = `query ProductLine($id: ID!) {
  product(id: $id) { id name available saleOpensAt waitingRoomEnabled waitingRoom { state nowServing waiting admitPerSecond } }
}`;

export const PRODUCT_SALE = `query ProductSale($id: ID!) {
  product(id: $id) { id name available saleOpensAt saleClosesAt maxPerCustomer }
}`;

export const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken userErrors { code message } }
}`;

export const CREATE_CATEGORY = `mutation CreateCategory($input: CreateCategoryInput!) {
  createCategory(input: $input) { category { id } userErrors { code message } }
}`;

export const CREATE_PRODUCT = `mutation CreateProduct($input: CreateProductInput!) {
  createProduct(input: $input) { product { id } userErrors { code message } }
}`;

export const CATEGORIES = `query Categories { categories { id name } }`;

export const PRODUCTS_PAGE = `query Products($first: Int, $after: String, $categoryId: ID) {
  products(first: $first, after: $after, categoryId: $categoryId) {
    edges { cursor node { id name price currency available saleOpensAt } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PRODUCT_DETAIL = `query Product($id: ID!) {
  product(id: $id) {
    id name description price currency available saleOpensAt saleClosesAt maxPerCustomer
    category { id name }
  }
}`;

export const ADD_TO_CART = `mutation AddToCart($productId: ID!, $quantity: Int) {
  addToCart(productId: $productId, quantity: $quantity) { ${CART_FIELDS} userErrors { code message } }
}`;

export const CHANGE_CART_QUANTITY = `mutation ChangeCartQuantity($productId: ID!, $delta: Int!) {
  changeCartQuantity(productId: $productId, delta: $delta) { ${CART_FIELDS} userErrors { code message } }
}`;

export const REMOVE_FROM_CART = `mutation RemoveFromCart($productId: ID!) {
  removeFromCart(productId: $productId) { ${CART_FIELDS} userErrors { code message } }
}`;

export const CLEAR_CART = `mutation ClearCart { clearCart { ${CART_FIELDS} userErrors { code message } } }`;

export const MY_CART = `query MyCart { me { ${CART_FIELDS} } }`;

/**
 * Variables for PLACE_ORDER: one line of the hot product.
 * @param {string} productId
 * @param {number} quantity
 * @param {string} idempotencyKey
 */
export function placeOrderVariables(productId, quantity, idempotencyKey) {
  return { input: { items: [{ productId, quantity }], idempotencyKey } };
}

/**
 * Variables for PLACE_ORDER_WITH_TICKET: one line of the sale's product, with the buyer's ticket.
 * @param {string} productId
 * @param {string} idempotencyKey
 * @param {string} waitingRoomTicket
 */
export function ticketOrderVariables(productId, idempotencyKey, waitingRoomTicket) {
  return { input: { items: [{ productId, quantity: 1 }], idempotencyKey, waitingRoomTicket } };
}

/**
 * Variables for CREATE_PRODUCT: a product whose sale opens at `opensAt` (ISO) with `stock` units.
 * @param {{ name: string, categoryId: string, price: number, stock: number, opensAt: string, maxPerCustomer: number | null }} p
 */
export function saleProductVariables(p) {
  return {
    input: {
      name: p.name,
      description: 'Created by k6/flash-sale.js',
      price: p.price,
      categoryId: p.categoryId,
      stock: p.stock,
      saleOpensAt: p.opensAt,
      maxPerCustomer: p.maxPerCustomer,
    },
  };
}
