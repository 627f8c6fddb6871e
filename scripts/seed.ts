/**
 * Seeds the product catalog (database `<DB_PREFIX>_product` and its Redis stock hashes).
 *
 *   npm run seed                          demo catalog: 6 categories, 36 products, most on sale now,
 *                                         two closed, and one flash sale (behind a waiting room) opening in 5 minutes
 *   npm run seed -- --opens-in 10         the flash sale opens in 10 minutes instead
 *   npm run seed -- --products 100000     adds 100,000 products (bulk inserts) for scale tests
 *
 * The demo goes through the catalog service, exactly like the ADMIN mutations, so every product
 * gets its Redis hash. Run it again and it leaves existing demo products alone but reschedules the
 * flash sale to open `--opens-in` minutes from now (a fresh countdown). The bulk mode writes rows
 * with multi-row INSERTs and hashes with pipelined Redis calls, 1,000 products per round trip.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, createRedis, initOrm, loadConfigOrExit } from '@flashsale/platform';
import type { EntityManager } from '@mikro-orm/mysql';
import { productSubgraph } from '../subgraphs/product/src/subgraph';
import { Category } from '../subgraphs/product/src/entities/category.entity';
import { Product } from '../subgraphs/product/src/entities/product.entity';
import { CatalogService } from '../subgraphs/product/src/services/catalog.service';
import { StockService } from '../subgraphs/product/src/services/stock.service';

const FLASH_SALE = 'Aurora Limited Sneaker';

const DEMO: Record<string, Array<[name: string, price: number, stock: number]>> = {
  Sneakers: [
    [FLASH_SALE, 18900, 100],
    ['Classic Court Low', 7900, 240],
    ['Trail Runner GTX', 14900, 80],
    ['Canvas High Top', 5900, 300],
    ['Retro Jogger', 9900, 150],
    ['Minimal Slip-On', 6900, 120],
  ],
  Streetwear: [
    ['Heavyweight Hoodie', 8900, 200],
    ['Boxy Logo Tee', 3500, 500],
    ['Cargo Pants', 9500, 140],
    ['Nylon Coach Jacket', 12900, 60],
    ['Fleece Beanie', 2500, 400],
    ['Crew Socks 3-Pack', 1800, 600],
  ],
  Electronics: [
    ['Noise-Cancelling Headphones', 29900, 50],
    ['Mechanical Keyboard', 13900, 75],
    ['4K Action Camera', 34900, 30],
    ['Wireless Charging Pad', 3900, 250],
    ['Portable SSD 1 TB', 11900, 90],
    ['Smart Desk Lamp', 6900, 110],
  ],
  Home: [
    ['Pour-Over Coffee Set', 4900, 130],
    ['Cast Iron Skillet', 5900, 90],
    ['Linen Duvet Cover', 11900, 70],
    ['Ceramic Planter Trio', 3900, 160],
    ['Aroma Diffuser', 4500, 100],
    ['Wool Throw Blanket', 8900, 60],
  ],
  Collectibles: [
    ['Vinyl Figure Series 3', 2900, 300],
    ['Signed Art Print', 19900, 25],
    ['Enamel Pin Set', 1500, 500],
    ['Limited Trading Card Box', 12900, 40],
    ['Die-Cast Racer 1:18', 8900, 35],
    ['Anniversary Poster', 2500, 200],
  ],
  Outdoor: [
    ['Ultralight Tent 2P', 39900, 20],
    ['Insulated Bottle', 3500, 350],
    ['Trekking Poles', 7900, 80],
    ['Down Sleeping Bag', 24900, 30],
    ['Headlamp 400lm', 3900, 150],
    ['Packable Daypack', 4900, 120],
  ],
};
// Products whose sale already ended, so the storefront shows every state.
const CLOSED = new Set(['Anniversary Poster', 'Crew Socks 3-Pack']);

async function demo(em: EntityManager, catalog: CatalogService, opensInMinutes: number) {
  const now = Date.now();
  const categories = new Map<string, Category>();
  for (const name of Object.keys(DEMO)) {
    const existing = await em.findOne(Category, { name });
    if (existing) {
      categories.set(name, existing);
      continue;
    }
    const res = await catalog.createCategory(em, { name });
    if (!res.category) throw new Error(`category ${name}: ${JSON.stringify(res.userErrors)}`);
    categories.set(name, res.category);
  }
  let created = 0;
  for (const [categoryName, products] of Object.entries(DEMO)) {
    for (const [name, price, stock] of products) {
      if (await em.count(Product, { name })) continue;
      const closed = CLOSED.has(name);
      const res = await catalog.createProduct(em, {
        name,
        description: `${name}: demo product in ${categoryName}.`,
        price,
        currency: 'USD',
        categoryId: categories.get(categoryName)!.id,
        stock,
        saleOpensAt: new Date(now - (closed ? 48 : 1) * 3_600_000),
        saleClosesAt: closed ? new Date(now - 24 * 3_600_000) : null,
        maxPerCustomer: price >= 10000 ? 2 : null,
      });
      if (!res.product) throw new Error(`product ${name}: ${JSON.stringify(res.userErrors)}`);
      created++;
    }
  }
  // The flash sale: (re)scheduled to open a few minutes from now, with a fresh 100 units, behind a
  // waiting room (docs/WAITING-ROOM.md): buyers join the line before the opening.
  const flash = await em.findOneOrFail(Product, { name: FLASH_SALE });
  const opensAt = new Date(now + opensInMinutes * 60_000);
  const res = await catalog.scheduleSale(em.fork(), flash.id, { opensAt, closesAt: new Date(opensAt.getTime() + 3_600_000), stock: 100, maxPerCustomer: 2, waitingRoom: true });
  if (!res.product) throw new Error(`flash sale: ${JSON.stringify(res.userErrors)}`);
  console.log(`demo catalog: ${categories.size} categories, ${created} new products (${await em.count(Product, {})} in total)`);
  console.log(`flash sale "${FLASH_SALE}" (${flash.id}): 100 units, max 2 per customer, behind a waiting room, opens ${opensAt.toISOString()}, closes an hour later`);
  if (res.userErrors.length) console.log(res.userErrors);
}

async function bulk(em: EntityManager, stock: StockService, count: number) {
  const started = Date.now();
  const categories: Category[] = [];
  for (let i = 0; i < 10; i++) {
    const name = `Bulk ${String(i).padStart(2, '0')}`;
    let c = await em.findOne(Category, { name });
    if (!c) {
      c = em.create(Category, { name });
      await em.flush();
    }
    categories.push(c);
  }
  const base = Date.now() - count; // one millisecond apart, newest last
  const openedAt = new Date(Date.now() - 3_600_000);
  const BATCH = 1000;
  for (let offset = 0; offset < count; offset += BATCH) {
    const rows: Product[] = [];
    for (let i = offset; i < Math.min(count, offset + BATCH); i++) {
      const p = new Product();
      Object.assign(p, {
        id: randomUUID(),
        name: `Bulk product ${i + 1}`,
        description: '',
        price: 100 + ((i * 7919) % 50_000),
        currency: 'USD',
        category: categories[i % categories.length],
        stock: 10 + (i % 500),
        saleOpensAt: openedAt,
        saleClosesAt: null,
        maxPerCustomer: null,
        active: true,
        createdAt: new Date(base + i),
        updatedAt: new Date(base + i),
      });
      rows.push(p);
    }
    await em.insertMany(Product, rows);
    await stock.writeNewMany(rows);
    if ((offset / BATCH) % 10 === 9) process.stdout.write(`  ${offset + rows.length} products\n`);
  }
  console.log(`bulk: inserted ${count} products with their stock hashes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  const { values } = parseArgs({ options: { products: { type: 'string' }, 'opens-in': { type: 'string', default: '5' } } });
  const config = loadConfigOrExit();
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' }, 'seed');
  const orm = await initOrm({ config, service: 'product', entities: productSubgraph.entities, migrations: productSubgraph.migrations, logger });
  const redis = createRedis(config);
  try {
    const stock = new StockService(redis, logger);
    const catalog = new CatalogService(stock, redis, logger);
    if (values.products !== undefined) {
      const count = Number(values.products);
      if (!Number.isInteger(count) || count < 1) throw new Error('--products must be a positive whole number');
      await bulk(orm.em.fork(), stock, count);
    } else {
      const minutes = Number(values['opens-in']);
      if (!Number.isFinite(minutes) || minutes < 0) throw new Error('--opens-in must be a number of minutes, 0 or more');
      await demo(orm.em.fork(), catalog, minutes);
    }
  } finally {
    await orm.close(true);
    await redis.quit();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
