// @ts-check
/**
 * Setup for a run without PRODUCT_ID: sign in as ADMIN_EMAIL / ADMIN_PASSWORD and create a product
 * on sale in a category of its own, through the gateway like any admin client. Used by the
 * flash-sale and waiting-room scripts' setup().
 */
import { fail } from 'k6';
import { dataField, parseBody, payloadValue, userErrorsOf } from '../lib/graphql.js';
import { CREATE_CATEGORY, CREATE_PRODUCT, LOG_IN, saleProductVariables } from '../lib/operations.js';
import { envInt } from '../lib/profile.js';
import { gql } from './gql.js';

/**
 * @param {string} tag  the category's and the product's name
 * @param {string} missingAdmin  what to say when ADMIN_EMAIL or ADMIN_PASSWORD is not set
 * @param {{ stock: number, opensAt: string, maxPerCustomer: number | null }} sale
 * @returns {{ token: string, productId: string }} the admin's access token and the new product's id
 */
export function createSaleProductAsAdmin(tag, missingAdmin, sale) {
  const email = __ENV.ADMIN_EMAIL;
  const password = __ENV.ADMIN_PASSWORD;
  if (!email || !password) fail(missingAdmin);
  const login = dataField(parseBody(gql('logIn', LOG_IN, { email, password }).body), 'logIn');
  const token = login && typeof login.accessToken === 'string' ? login.accessToken : null;
  if (!token) fail(`logIn as ${email} failed: ${JSON.stringify(userErrorsOf(login))}`);

  const category = payloadValue(gql('createCategory', CREATE_CATEGORY, { input: { name: tag } }, token).body, 'createCategory', 'category');
  if (!category.ok) fail(category.detail);
  const variables = saleProductVariables({ name: tag, categoryId: String(category.value.id), price: envInt(__ENV, 'PRICE', 1999), ...sale });
  const product = payloadValue(gql('createProduct', CREATE_PRODUCT, variables, token).body, 'createProduct', 'product');
  if (!product.ok) fail(product.detail);
  return { token, productId: String(product.value.id) };
}
