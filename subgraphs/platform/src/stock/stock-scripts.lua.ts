/**
 * Every Lua script that reads or writes a product stock hash (stock-hash.ts), each run atomically
 * by Redis. Field names come from STOCK_HASH_FIELDS / LISTING_FIELDS, never written out here, and
 * every script answers one JSON object with named fields (cjson), decoded in stock-ledger.ts.
 *
 * Keys besides the stock hash (owned by the order subgraph, kept beside the hash because the same
 * scripts move them; all prefixed by REDIS_PREFIX through ioredis). Every one carries a product id
 * as its Redis Cluster hash tag, so each product's keys share one slot and no key in the sale's
 * path is global:
 *   bought:{p}                 hash buyer id -> units this buyer holds of p in live orders (the per-customer limit)
 *   reservations:{p}           hash reservation id -> JSON {buyer, deadline: ms, lines: [[p, qty]], idempotencyKey?}:
 *                              the part of the reservation that holds p (one part per product of the order)
 *   reservations:due:{p}       sorted set reservation id by deadline ms (the sweeper's index of p's parts)
 *   order:idem:{a}:<b>:<k>     the order buyer b's idempotency key k placed (or is placing); a = the
 *                              order's anchor, its lowest product id, whose part alone carries `k`
 *   reservations:products      set of product ids that have had parts (the sweeper walks their due sets;
 *                              a single Redis adds in the reserve script; on a cluster each process
 *                              registers a product once, before its first reserve of it)
 * A reservation id is the id of the order it becomes. Lines arrive sorted by product id, so the
 * first line is the anchor.
 *
 * Invariants
 *   I1  `available` never goes below zero, and a reservation takes all of its lines or none.
 *   I2  Units held by a reservation come back at most once: only the script that deletes the
 *       reservation record gives them back, and it gives nothing when the record is already gone.
 *   I3  `bought:{p}[buyer]` = units of p this buyer holds in reservations and live orders; the
 *       per-customer limit is checked against it in the same script that takes the units.
 *   I4  Sale window checks use Redis's own clock (TIME), the one clock every replica shares.
 *   I5  A missing stock hash is never guessed: the script reports it and the order subgraph
 *       reconciles from the database truth (rebuild below) before anything is sold.
 *   I6  Double submit: the reservation script looks up the buyer's idempotency key and records
 *       it in the same atomic step that takes the units, so two requests with one key can never
 *       both reserve; the second is told which order the key belongs to. Only the give-back of a
 *       reservation that never became an order forgets the key again.
 *
 * Redis Cluster: every script below touches one product's slot when called with one line.
 * On a single Redis (the default deployment) the reserve script takes every line of an order in
 * one atomic call. On a cluster (REDIS_CLUSTER_NODES) StockLedger.reserve calls it once per
 * product, in product-id order (the anchor first, with the idempotency key), and when a later
 * product refuses (or its hash is missing) gives back the parts already taken, each through
 * GIVE_BACK_LUA, which is idempotent (I2: only the script that deletes a part returns its units).
 * From the buyer's view the order is all-or-nothing; a unit may be held for the few milliseconds
 * between a part's take and its give-back, and is never sold twice (I1 holds per product).
 */
import { HISTORY_FIELD, RECOVER_AFTER_FIELD } from './stock-hash';
import { STOCK_PRELUDE } from './lua-prelude';
import { LINE_TICKET_LUA } from '../waiting-room/line-scripts.lua';



/**
 * sync (product subgraph). KEYS: stock:{p}. ARGV: mode, amount, then the listing (LISTING_FIELDS).
 *   set      available := amount and the listing (a new product, or reconcile from truth).
 *   delta    only where the hash has `available`: available += amount unless that goes below 0,
 *            and the listing. A hash holding only listing fields gets the listing, never `available`.
 *   listing  the listing, only where `available` is missing (restoring after Redis lost its data).
 * Replies {status: 'applied' | 'missing' | 'refused', available}.
 */
export const SYNC_STOCK_LUA = `${STOCK_PRELUDE}
local key, mode, amount = KEYS[1], ARGV[1], tonumber(ARGV[2])
if mode == 'set' then
  redis.call('HSET', key, 'available', amount, '${HISTORY_FIELD}', historyId())
  writeListing(key, 3)
  return cjson.encode({status = 'applied', available = amount})
end
if redis.call('HEXISTS', key, 'available') == 0 then
  if mode == 'listing' or redis.call('EXISTS', key) == 1 then writeListing(key, 3) end
  return cjson.encode({status = 'missing', available = 0})
end
local current = tonumber(redis.call('HGET', key, 'available'))
if mode == 'listing' then return cjson.encode({status = 'applied', available = current}) end
if current + amount < 0 then return cjson.encode({status = 'refused', available = current}) end
local available = redis.call('HINCRBY', key, 'available', amount)
writeListing(key, 3)
return cjson.encode({status = 'applied', available = available})
`;

/**
 * reserve (order subgraph). KEYS: the anchor's order:idem:{a}:<buyer>:<key>, then per line
 * stock:{p}, bought:{p}, reservations:{p}, reservations:due:{p}, then, when a waiting-room ticket
 * names one of the lines' products, that product's line:{t}, line:numbers:{t}, line:used:{t},
 * line:served:{t} (waiting-room/line-keys.ts), then, on a single Redis only,
 * reservations:products (added to in the same atomic step as the units are taken, so a refusal
 * writes nothing; a cluster cannot reach that key from a product's slot and registers the products
 * beforehand instead, stock-ledger.ts). ARGV: reservation id, buyer id,
 * hold ms, idempotency key ('' = none), idempotency marker ttl seconds, check history ('1' on a
 * Redis Cluster: a hash not written under this node's current replication history is not sold),
 * the ticket's product id ('' = no ticket; its signature and buyer were checked by the caller),
 * the order window ms of a served ticket, then per line product id, quantity. Lines are sorted by
 * product id; the first line's part records the key. A line of a waiting-room sale (hash field
 * waitingRoom = 1) is refused NOT_ADMITTED unless the ticket names it and is served, inside its
 * window and unused (line-scripts.lua.ts L3, L4); the part of that product records the number.
 * Replies one of
 *   {status: 'reserved', at: Redis time ms, lines: [{price, currency}, ...]}
 *   {status: 'replay', orderId}       the key placed (or is placing) this order; nothing taken (I6)
 *   {status: 'missing', productIds}   hashes Redis has lost; nothing taken (I5)
 *   {status: 'stale', productIds}     hashes from before a failover (redis-cluster-guard.ts G5); nothing taken
 *   {status: 'rejected', rejections: [{code, productId, detail}, ...]}   nothing taken
 *   {status: 'exists'}                this reservation id is already held
 */
export const RESERVE_LUA = `${STOCK_PRELUDE}${LINE_TICKET_LUA}
local marker = KEYS[1]
local rid, buyer, holdMs, idemKey, idemTtl, checkHistory = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6]
local ticketProduct, windowMs = ARGV[7], tonumber(ARGV[8])
local n = math.floor((#ARGV - 8) / 2)
local extra = #KEYS - 1 - 4 * n
local ticketKeys = nil
if ticketProduct ~= '' then ticketKeys = {KEYS[2 + 4 * n], KEYS[3 + 4 * n], KEYS[4 + 4 * n], KEYS[5 + 4 * n]} end
local registry = (extra % 4 == 1) and KEYS[#KEYS] or nil
local function key(i, k) return KEYS[1 + 4 * (i - 1) + k] end

if idemKey ~= '' then
  local placed = redis.call('GET', marker)
  if placed then return cjson.encode({status = 'replay', orderId = placed}) end
end
for i = 1, n do
  if redis.call('HEXISTS', key(i, 3), rid) == 1 then return cjson.encode({status = 'exists'}) end
end

local hashes, missing = {}, {}
for i = 1, n do
  local hash = readStock(key(i, 1))
  if not hash then missing[#missing + 1] = ARGV[7 + 2 * i] end
  hashes[i] = hash
end
if #missing > 0 then return cjson.encode({status = 'missing', productIds = missing}) end
if checkHistory == '1' then
  local current, stale = historyId(), {}
  for i = 1, n do
    if redis.call('HGET', key(i, 1), '${HISTORY_FIELD}') ~= current then stale[#stale + 1] = ARGV[7 + 2 * i] end
  end
  if #stale > 0 then return cjson.encode({status = 'stale', productIds = stale}) end
end

local now = redisNowMs()
local ticketNumber, ticketServedAt = nil, nil
local rejections = {}
local function reject(code, productId, detail)
  rejections[#rejections + 1] = {code = code, productId = productId, detail = tostring(detail)}
end
for i = 1, n do
  local hash, productId, qty = hashes[i], ARGV[7 + 2 * i], tonumber(ARGV[8 + 2 * i])
  local opensAt, closesAt = tonumber(hash.opensAt or '0'), tonumber(hash.closesAt or '0')
  local limit = tonumber(hash.maxPerCustomer or '0')
  if hash.active ~= '1' then
    reject('NOT_FOR_SALE', productId, '')
  elseif opensAt > 0 and now < opensAt then
    reject('SALE_NOT_OPEN', productId, hash.opensAt)
  elseif closesAt > 0 and now >= closesAt then
    reject('SALE_CLOSED', productId, hash.closesAt)
  else
    local held = tonumber(redis.call('HGET', key(i, 2), buyer) or '0')
    local admitted, why = true, nil
    if hash.waitingRoom == '1' then
      if productId ~= ticketProduct then
        admitted, why = false, 'NO_TICKET'
      else
        ticketNumber, why, ticketServedAt = admitTicket(ticketKeys, buyer, now, windowMs)
        admitted = ticketNumber ~= nil
      end
    end
    -- Not admitted by the line: said so while units are left; with none left the truth is SOLD_OUT.
    if not admitted and tonumber(hash.available) > 0 then
      reject('NOT_ADMITTED', productId, why)
    elseif limit > 0 and held + qty > limit then
      reject('LIMIT_EXCEEDED', productId, limit)
    elseif tonumber(hash.available) < qty then
      reject('SOLD_OUT', productId, math.max(0, tonumber(hash.available)))
    end
  end
end
if #rejections > 0 then return cjson.encode({status = 'rejected', rejections = rejections}) end

-- Every line passed: take the units, record each product's part and the key (I1, I3, I6).
local lines = {}
local deadline = now + holdMs
for i = 1, n do
  local productId, qty = ARGV[7 + 2 * i], tonumber(ARGV[8 + 2 * i])
  redis.call('HINCRBY', key(i, 1), 'available', -qty)
  redis.call('HINCRBY', key(i, 2), buyer, qty)
  local part = {buyer = buyer, deadline = deadline, lines = {{productId, qty}}}
  if i == 1 and idemKey ~= '' then part.idempotencyKey = idemKey end
  if productId == ticketProduct and ticketNumber then
    part.ticket = ticketNumber
    useTicket(ticketKeys, buyer, ticketNumber, now, ticketServedAt)
  end
  redis.call('HSET', key(i, 3), rid, cjson.encode(part))
  redis.call('ZADD', key(i, 4), string.format('%d', deadline), rid)
  if registry then redis.call('SADD', registry, productId) end
  lines[i] = {price = hashes[i].price, currency = hashes[i].currency}
end
if idemKey ~= '' then redis.call('SET', marker, rid, 'EX', idemTtl) end
return cjson.encode({status = 'reserved', at = now, lines = lines})
`;

/**
 * giveBack (order subgraph): one product's units come back to `available` and out of the buyer's
 * count. KEYS: reservations:{p}, reservations:due:{p}, the order:idem marker the part carries
 * (its key is the anchor's, which is p; any never-set key in p's slot when there is none),
 * stock:{p}, bought:{p}, line:used:{p}, then, on a single Redis only, reservations:products.
 * ARGV: reservation id ('' for units of a paid order, which has no part), the part exactly as
 * read (ignored when the id is ''), buyer id, forget ('1': the reservation never became an order,
 * so its idempotency key may place again, and the waiting-room ticket it used may order again),
 * quantity, product id.
 * On a single Redis the product leaves reservations:products with its last part, so the set is
 * exactly the products with held parts and a reserve that is given back leaves no trace.
 * With a reservation id, nothing happens unless the part is still there unchanged (I2).
 * A missing stock hash is left missing (I5): rebuild computes it from the truth later.
 * Replies {given: true} when units were given back, {given: false} when already released.
 */
export const GIVE_BACK_LUA = `${STOCK_PRELUDE}
local reservations, due, marker, stock, bought = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local rid, record, buyer, forget, qty = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if rid ~= '' then
  if redis.call('HGET', reservations, rid) ~= record then return cjson.encode({given = false}) end
  redis.call('HDEL', reservations, rid)
  redis.call('ZREM', due, rid)
  if KEYS[7] and redis.call('ZCARD', due) == 0 then redis.call('SREM', KEYS[7], ARGV[6]) end
  if forget == '1' and redis.call('GET', marker) == rid then redis.call('DEL', marker) end
  if forget == '1' then
    local ticket = cjson.decode(record).ticket
    if ticket and tonumber(redis.call('ZSCORE', KEYS[6], buyer) or '-1') == ticket then redis.call('ZREM', KEYS[6], buyer) end
  end
end
if redis.call('HEXISTS', stock, 'available') == 1 then
  redis.call('HINCRBY', stock, 'available', qty)
end
if redis.call('HINCRBY', bought, buyer, -qty) <= 0 then
  redis.call('HDEL', bought, buyer)
end
return cjson.encode({given = true})
`;

/**
 * settle (order subgraph): a paid order's part goes; its units stay sold. KEYS: reservations:{p},
 * reservations:due:{p}, then, on a single Redis only, reservations:products (left by the product
 * with its last part, as in giveBack). ARGV: reservation id, product id.
 */
export const SETTLE_LUA = `
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if KEYS[3] and redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[3], ARGV[2]) end
return 1
`;

/**
 * markLost (order subgraph, after a Redis Cluster failover): the hash becomes 'missing' (I5) and
 * may not be rebuilt for ARGV[1] ms of Redis time. KEYS: stock:{p}. Replies the quarantine's end.
 */
export const MARK_LOST_LUA = `${STOCK_PRELUDE}
local ends = redisNowMs() + tonumber(ARGV[1])
redis.call('HDEL', KEYS[1], 'available')
redis.call('HSET', KEYS[1], '${RECOVER_AFTER_FIELD}', ends)
return ends
`;

/**
 * rebuild (order subgraph's reconcile): writes a lost stock hash from the truth, only while it is
 * still missing and past any quarantine. KEYS: stock:{p}, bought:{p}, reservations:{p},
 * reservations:due:{p}. ARGV: the replication history the caller verified this node under ('' on
 * a single Redis), available, then the listing (LISTING_FIELDS), buyer count, then buyer id, units
 * pairs, then reservation id, part, deadline triples to restore where the part is missing.
 * Replies {written: true}, or {written: false} when someone else rebuilt it first or it is
 * quarantined, or {written: false, stale: true} when the node's history is not the one the caller
 * verified: a failover happened after the caller checked the shard's quarantine, so its truth may
 * predate orders the lost writes belonged to (a hash the promoted replica lost outright has no
 * recoverAfter to stop the write; this is what does).
 */
export const REBUILD_LUA = `${STOCK_PRELUDE}
if ARGV[1] ~= '' and ARGV[1] ~= historyId() then return cjson.encode({written = false, stale = true}) end
if redis.call('HEXISTS', KEYS[1], 'available') == 1 then return cjson.encode({written = false}) end
if tonumber(redis.call('HGET', KEYS[1], '${RECOVER_AFTER_FIELD}') or '0') > redisNowMs() then return cjson.encode({written = false}) end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'available', ARGV[2], '${HISTORY_FIELD}', historyId())
writeListing(KEYS[1], 3)
local i = 3 + #LISTING_FIELDS
local buyers = tonumber(ARGV[i])
i = i + 1
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
return cjson.encode({written = true})
`;
