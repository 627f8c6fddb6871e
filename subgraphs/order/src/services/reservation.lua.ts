/**
 * The Redis side of a reservation, as three Lua scripts (each runs atomically in Redis).
 *
 * Keys (all prefixed by REDIS_PREFIX through ioredis):
 *   stock:{p}          hash, the product's StockHash (platform keys.ts); `available` is the field we move
 *   bought:{p}         hash buyer id -> units this buyer holds of p in live orders (the per-customer limit)
 *   reservations       hash reservation id -> JSON {u: buyer, d: deadline ms, l: [[productId, qty], ...]}
 *   reservations:due   sorted set reservation id by deadline ms (the sweeper's index)
 * A reservation id is the id of the order it becomes.
 *
 * Invariants
 *   I1  `available` never goes below zero, and a reservation takes all of its lines or none.
 *   I2  Units held by a reservation come back at most once: only the script that deletes the
 *       reservation record gives them back, and it gives nothing when the record is already gone.
 *   I3  `bought:{p}[buyer]` = units of p this buyer holds in reservations and live orders; the
 *       per-customer limit is checked against it in the same script that takes the units.
 *   I4  Sale window checks use Redis's own clock (TIME), the one clock every replica shares.
 *   I5  A missing stock hash is never guessed: the script reports it and the service reconciles
 *       from the database truth (rebuild below) before anything is sold.
 *
 * Redis Cluster: every per-product key carries the product id as a hash tag, so each product
 * lives in one slot. These scripts touch several products (and the reservation index) at once,
 * which a single Redis (the supported deployment) runs atomically. In a cluster, a multi-product
 * reservation becomes two-phase: reserve each product in its own slot in product-id order with
 * this same per-product check-and-take (recording the hold under `held:{p}`), and if a later
 * product refuses, give back the earlier holds (compensation, idempotent because each hold is
 * deleted by the script that returns it). A buyer may briefly see a unit held that is then given
 * back, but nothing is ever sold twice; sales that must be strictly all-or-nothing across
 * products can instead share one hash tag (e.g. the sale id) so the single-slot scripts apply.
 */

/**
 * reserve. KEYS: reservations, reservations:due, then per line stock:{p}, bought:{p}.
 * ARGV: reservation id, buyer id, hold ms, then per line product id, quantity.
 * Returns one of
 *   {'OK', nowMs, price1, currency1, price2, currency2, ...}
 *   {'MISSING', productId, ...}                       hashes Redis has lost (nothing taken)
 *   {'REJECTED', code, productId, detail, ...}        triples, one per refused line (nothing taken)
 *   {'EXISTS'}                                        this reservation id is already held
 */
export const RESERVE_LUA = `
local reservations, due = KEYS[1], KEYS[2]
local rid, buyer, holdMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local n = (#KEYS - 2) / 2
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('HEXISTS', reservations, rid) == 1 then return {'EXISTS'} end

local hashes, missing = {}, {}
for i = 1, n do
  local h = redis.call('HMGET', KEYS[1 + 2 * i], 'available', 'price', 'currency', 'opensAt', 'closesAt', 'maxPerCustomer', 'active')
  if not h[1] then missing[#missing + 1] = ARGV[2 + 2 * i] end
  hashes[i] = h
end
if #missing > 0 then return {'MISSING', unpack(missing)} end

local rejected = {}
local function reject(code, productId, detail)
  rejected[#rejected + 1] = code
  rejected[#rejected + 1] = productId
  rejected[#rejected + 1] = tostring(detail)
end
for i = 1, n do
  local h, productId, qty = hashes[i], ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  local opensAt, closesAt = tonumber(h[4] or '0'), tonumber(h[5] or '0')
  local limit = tonumber(h[6] or '0')
  if h[7] ~= '1' then
    reject('NOT_FOR_SALE', productId, '')
  elseif opensAt > 0 and now < opensAt then
    reject('SALE_NOT_OPEN', productId, h[4])
  elseif closesAt > 0 and now >= closesAt then
    reject('SALE_CLOSED', productId, h[5])
  else
    local held = tonumber(redis.call('HGET', KEYS[2 + 2 * i], buyer) or '0')
    if limit > 0 and held + qty > limit then
      reject('LIMIT_EXCEEDED', productId, limit)
    elseif tonumber(h[1]) < qty then
      reject('SOLD_OUT', productId, math.max(0, tonumber(h[1])))
    end
  end
end
if #rejected > 0 then return {'REJECTED', unpack(rejected)} end

-- Every line passed: take the units and record the hold.
local result, lines = {'OK', now}, {}
for i = 1, n do
  local productId, qty = ARGV[2 + 2 * i], tonumber(ARGV[3 + 2 * i])
  redis.call('HINCRBY', KEYS[1 + 2 * i], 'available', -qty)
  redis.call('HINCRBY', KEYS[2 + 2 * i], buyer, qty)
  lines[i] = {productId, qty}
  result[#result + 1] = hashes[i][2]
  result[#result + 1] = hashes[i][3]
end
local deadline = now + holdMs
redis.call('HSET', reservations, rid, cjson.encode({u = buyer, d = deadline, l = lines}))
redis.call('ZADD', due, string.format('%d', deadline), rid)
return result
`;

/**
 * giveBack: units come back to `available` and out of the buyer's count.
 * KEYS: reservations, reservations:due, then per line stock:{p}, bought:{p}.
 * ARGV: reservation id ('' for units of a paid order, which has no record), the record exactly as
 * read (ignored when the id is ''), buyer id, then per line the quantity.
 * With a reservation id, nothing happens unless the record is still there unchanged (I2).
 * A missing stock hash is left missing (I5): rebuild computes it from the truth later.
 * Returns 1 when units were given back, 0 when the reservation was already released.
 */
export const GIVE_BACK_LUA = `
local reservations, due = KEYS[1], KEYS[2]
local rid, record, buyer = ARGV[1], ARGV[2], ARGV[3]
if rid ~= '' then
  if redis.call('HGET', reservations, rid) ~= record then return 0 end
  redis.call('HDEL', reservations, rid)
  redis.call('ZREM', due, rid)
end
local n = (#KEYS - 2) / 2
for i = 1, n do
  local qty = tonumber(ARGV[3 + i])
  if redis.call('HEXISTS', KEYS[1 + 2 * i], 'available') == 1 then
    redis.call('HINCRBY', KEYS[1 + 2 * i], 'available', qty)
  end
  if redis.call('HINCRBY', KEYS[2 + 2 * i], buyer, -qty) <= 0 then
    redis.call('HDEL', KEYS[2 + 2 * i], buyer)
  end
end
return 1
`;

/**
 * rebuild: writes a lost stock hash from the truth, only while it is still missing.
 * KEYS: stock:{p}, bought:{p}, reservations, reservations:due.
 * ARGV: available, price, currency, opensAt, closesAt, maxPerCustomer, active,
 *       buyer count, then buyer id, units pairs,
 *       then reservation id, record, deadline triples to restore where the record is missing.
 * Returns 1 when written, 0 when someone else rebuilt it first.
 */
export const REBUILD_LUA = `
if redis.call('HEXISTS', KEYS[1], 'available') == 1 then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'available', ARGV[1], 'price', ARGV[2], 'currency', ARGV[3], 'opensAt', ARGV[4],
  'closesAt', ARGV[5], 'maxPerCustomer', ARGV[6], 'active', ARGV[7])
local buyers = tonumber(ARGV[8])
local i = 9
for _ = 1, buyers do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) == 1 then
    redis.call('ZADD', KEYS[4], ARGV[i + 2], ARGV[i])
  end
  i = i + 3
end
return 1
`;
