// @ts-check
/**
 * Catalog browsing, anonymous, at a constant arrival rate (RATE iterations/s for DURATION_S).
 * Each iteration is one of, by weight:
 *   35  products(first: 20)                      the landing page
 *   20  products pages 1..MAX_PAGES via endCursor a shopper paging through the catalog
 *   10  products(categoryId, first: 20)          a category page
 *   25  product(id)                              a product's detail page
 *   10  categories                               the menu
 * Checks every answer's shape; a walk also checks that cursors advance and that no product appears
 * on two pages (catalog_duplicate_products must stay 0, even while other scripts add products).
 */
import { check, fail } from 'k6';
import { Counter } from 'k6/metrics';
import { dataField, dataList, parseBody } from './lib/graphql.js';
import { CATEGORIES, PRODUCT_DETAIL, PRODUCTS_PAGE } from './lib/operations.js';
import { readConnection, walkConnection } from './lib/pagination.js';
import { envInt, pickWeighted } from './lib/profile.js';
import { gql } from './support/gql.js';

const RATE = envInt(__ENV, 'RATE', 50, 1);
const DURATION_S = envInt(__ENV, 'DURATION_S', 30, 1);
const MAX_PAGES = envInt(__ENV, 'MAX_PAGES', 5, 1);
const PAGE_SIZE = 20;
const P99_MS = envInt(__ENV, 'P99_MS', 1000, 1);

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    catalog: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_S}s`,
      preAllocatedVUs: envInt(__ENV, 'PRE_VUS', 50, 1),
      maxVUs: envInt(__ENV, 'MAX_VUS', 300, 1),
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    catalog_duplicate_products: ['count<1'],
    'http_req_duration{name:products}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:product}': [`p(99)<${P99_MS}`],
    'http_req_duration{name:categories}': [`p(99)<${P99_MS}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const duplicateProducts = new Counter('catalog_duplicate_products');

/** @typedef {{ productIds: string[], categoryIds: string[] }} SetupData */

/** @param {string | null} after @param {string | null} [categoryId] */
const fetchProducts = (after, categoryId = null) => gql('products', PRODUCTS_PAGE, { first: PAGE_SIZE, after, categoryId }).body;

/**
 * @template T
 * @param {readonly T[]} list
 * @returns {T}
 */
const randomOf = (list) => list[Math.floor(Math.random() * list.length)];

/** @returns {SetupData} */
export function setup() {
  const walk = walkConnection((after) => fetchProducts(after), 'products', MAX_PAGES);
  if (walk.error) fail(`listing products failed: ${walk.error}`);
  if (walk.ids.length === 0) fail('the catalog is empty: create products first (see k6/README.md)');
  const categories = dataList(parseBody(gql('categories', CATEGORIES).body), 'categories') || [];
  const categoryIds = categories.map((c) => String(c.id));
  console.log(`catalog: ${walk.ids.length} products in the first ${walk.pages} page(s), ${categoryIds.length} categories`);
  return { productIds: walk.ids, categoryIds };
}

/** @param {SetupData} _data */
function landingPage(_data) {
  const page = readConnection(fetchProducts(null), 'products');
  check(page, { 'products page well formed': (p) => p.ok && p.ids.length > 0 });
}

/** @param {SetupData} _data */
function pageThrough(_data) {
  const walk = walkConnection((after) => fetchProducts(after), 'products', MAX_PAGES);
  duplicateProducts.add(walk.duplicates.length);
  check(walk, {
    'paging follows endCursor without errors': (w) => w.error === null,
    'no product on two pages': (w) => w.duplicates.length === 0,
  });
}

/** @param {SetupData} data */
function categoryPage(data) {
  if (data.categoryIds.length === 0) return landingPage(data);
  const page = readConnection(fetchProducts(null, randomOf(data.categoryIds)), 'products');
  check(page, { 'category page well formed': (p) => p.ok });
}

/** @param {SetupData} data */
function productDetail(data) {
  const id = randomOf(data.productIds);
  const product = dataField(parseBody(gql('product', PRODUCT_DETAIL, { id }).body), 'product');
  check(product, {
    'product detail is the product asked for': (p) => p !== null && p.id === id,
    'product detail has live availability': (p) => p !== null && typeof p.available === 'number' && p.available >= 0,
  });
}

/** @param {SetupData} _data */
function categoryMenu(_data) {
  const categories = dataList(parseBody(gql('categories', CATEGORIES).body), 'categories');
  check(categories, { 'categories listed': (c) => c !== null && c.every((x) => typeof x.id === 'string' && typeof x.name === 'string') });
}

const MIX = [
  { weight: 35, run: landingPage },
  { weight: 20, run: pageThrough },
  { weight: 10, run: categoryPage },
  { weight: 25, run: productDetail },
  { weight: 10, run: categoryMenu },
];
const WEIGHTS = MIX.map((m) => m.weight);

/** @param {SetupData} data */
export default function (data) {
  MIX[pickWeighted(WEIGHTS, Math.random())].run(data);
}
