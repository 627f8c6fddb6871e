/**
 * The Redis keys of one sale's waiting room. Every one carries the product id as its Redis Cluster
 * hash tag, the same as the product's stock hash (`stock:{p}`), so the line, the stock and the
 * reservation scripts all run on the product's slot:
 *   line:{p}            hash: next (last number given), nowServing (the watermark), opened ('1' once
 *                       the pre-queue is numbered), openedAt, and the pace meter (paceAt, paceUsed, pace)
 *   line:numbers:{p}    hash buyer id -> number ('p' while the buyer is in the pre-queue)
 *   line:prequeue:{p}   list of buyer ids who joined before the opening, in join order (numbered in a
 *                       random order at the opening, then deleted)
 *   line:used:{p}       sorted set buyer id by number: tickets that placed their order (one use each)
 *   line:served:{p}     sorted set "<ms>:<nowServing>" by nowServing: when the watermark passed each step
 *                       (a number's order window starts at the first step at or above it)
 *   line:served-at:{p}  sorted set "<nowServing>:<ms>" by ms: the same steps by time (the watermark
 *                       some seconds ago: which served numbers are fresh, which are past their window)
 */
export const lineKeys = {
  line: (productId: string) => `line:{${productId}}`,
  numbers: (productId: string) => `line:numbers:{${productId}}`,
  prequeue: (productId: string) => `line:prequeue:{${productId}}`,
  used: (productId: string) => `line:used:{${productId}}`,
  served: (productId: string) => `line:served:{${productId}}`,
  servedAt: (productId: string) => `line:served-at:{${productId}}`,
} as const;
