import type Redis from 'ioredis';
import { redisKeys } from '@flashsale/platform';
import { Product } from '../entities/product.entity';

/** The Redis stock hash per product: the hot path's view of stock and the sale window. */
export class StockService {
  constructor(private readonly redis: Redis) {}

  async available(product: Product): Promise<number> {
    const v = await this.redis.hget(redisKeys.productStock(product.id), 'available');
    return v === null ? product.stock : Math.max(0, Number(v));
  }
}
