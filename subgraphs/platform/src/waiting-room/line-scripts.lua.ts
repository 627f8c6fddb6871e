/**
 * The waiting room's Lua, run atomically by Redis on the product's slot (line-keys.ts has the key
 * layout). Two pieces:
 *   LINE_LUA           the line itself: opens the pre-queue at the opening, gives numbers to joins
 *                      in the order they are passed (the edge sorts them by arrival stamp), moves the
 *                      watermark, and answers the line's status. Every edge replica may call it at any
 *                      time: each call works from Redis's clock and the stored state, so any number of
 *                      callers move the line exactly as one would.
 *   LINE_TICKET_LUA    a fragment of the reservation script (stock-scripts.lua.ts): a served ticket's
 *                      single use is checked and recorded in the same atomic step that takes the units.
 *
 * Invariants
 *   L1  Numbers are given once per buyer per sale and never change; after the opening they follow
 *       the order the joins are passed in. The pre-queue is numbered 1..k in a random permutation
 *       (a Park-Miller generator seeded by the caller's crypto-random seed), before any later join.
 *   L2  The watermark only moves forward, only while the sale is OPEN (units left), and never past
 *       the last number given. Served numbers that have not ordered and are still inside their
 *       order window never exceed the units left plus the no-show margin, and the margin counts
 *       only served numbers that have not ordered for `noShowAfter` ms (likely no-shows), so the
 *       first numbers up to the stock are served alone. The numbers served within the last
 *       `ahead` ms that have not ordered never exceed max(minServing, pace * ahead), `ahead` being
 *       at least 1.5 times the measured time from served to ordered: the line moves at the pace the
 *       order path really completes orders (the pace meter counts used tickets), never faster
 *       than the stock allows.
 *   L3  A ticket buys once: its use is recorded (line:used) by the script that takes the units,
 *       and forgotten only by the give-back of a reservation that never became an order.
 *   L4  A served number may order until `window` ms after the watermark passed it; then it is a
 *       no-show: it no longer counts against the stock, and its ticket is refused (EXPIRED).
 */
import { STOCK_PRELUDE } from '../stock/lua-prelude';

/**
 * KEYS: line, numbers, prequeue, used, served, served-at, stock:{p}.
 * ARGV: window ms, ahead ms, min serving, no-show margin (per mille), pre-queue ms, seed (1 to
 * 2^31-2), no-show-after ms, then buyer ids to give numbers to (none for a status read).
 * Replies {status: 'unknown'} (no product hash), {status: 'missing'} (the stock hash lost its
 * `available`: reconcile first), {status: 'none'} (not a waiting-room sale), or
 * {status: 'ok', state, now, nowServing, issued, waiting, available, pace, admitPerSecond, opensAt,
 *  closesAt, used, noShows, holding (served numbers inside their window that have not ordered),
 *  numbers: [n | 'p' | 0 per buyer]} (0: no number, the line is closed or
 * sold out, or it is too early for the pre-queue).
 */
export const LINE_LUA = `${STOCK_PRELUDE}
local LINE, NUMBERS, PREQUEUE, USED, SERVED, SERVED_AT, STOCK = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local windowMs, aheadMs, minServing = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local marginPermille, prequeueMs, seed = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local noShowAfterMs = tonumber(ARGV[7])

local hash = readStock(STOCK)
if not hash then
  if redis.call('EXISTS', STOCK) == 0 then return cjson.encode({status = 'unknown'}) end
  return cjson.encode({status = 'missing'})
end
if hash.waitingRoom ~= '1' then return cjson.encode({status = 'none'}) end

local now = redisNowMs()
local opensAt, closesAt = tonumber(hash.opensAt or '0'), tonumber(hash.closesAt or '0')
local available = math.max(0, tonumber(hash.available))
local line = redis.call('HMGET', LINE, 'next', 'nowServing', 'opened', 'paceAt', 'paceUsed', 'pace', 'latency')
local issued, nowServing, opened = tonumber(line[1] or '0'), tonumber(line[2] or '0'), line[3] == '1'
local paceAt, paceUsed, pace = tonumber(line[4] or '0'), tonumber(line[5] or '0'), tonumber(line[6] or '0')
-- How long a served buyer takes to order, a moving average kept by the reservation script (L2):
-- the numbers served ahead must cover it, or the line would serve slower than orders complete.
local latency = tonumber(line[7] or '0')
aheadMs = math.max(aheadMs, math.ceil(1.5 * latency))

-- L1: the pre-queue gets numbers 1..k in a random order, once, at the opening.
local function openLine()
  local buyers = redis.call('LRANGE', PREQUEUE, 0, -1)
  local x = seed
  for i = #buyers, 2, -1 do
    x = (x * 48271) % 2147483647
    local j = (x % i) + 1
    buyers[i], buyers[j] = buyers[j], buyers[i]
  end
  local batch = {}
  for i, buyer in ipairs(buyers) do
    batch[#batch + 1] = buyer
    batch[#batch + 1] = issued + i
    if #batch >= 1000 then redis.call('HSET', NUMBERS, unpack(batch)); batch = {} end
  end
  if #batch > 0 then redis.call('HSET', NUMBERS, unpack(batch)) end
  issued = issued + #buyers
  redis.call('DEL', PREQUEUE)
  redis.call('HSET', LINE, 'next', issued, 'opened', '1', 'openedAt', now)
  opened = true
end

local state
if hash.active ~= '1' or (closesAt > 0 and now >= closesAt) then
  state = 'CLOSED'
elseif opensAt > 0 and now < opensAt then
  state = 'NOT_OPEN'
else
  if not opened then openLine() end
  state = available > 0 and 'OPEN' or 'SOLD_OUT'
end

-- Joins, in the order passed (the edge's arrival order).
local numbers, gave = {}, false
for i = 8, #ARGV do
  local buyer = ARGV[i]
  local held = redis.call('HGET', NUMBERS, buyer)
  if held == 'p' then
    numbers[#numbers + 1] = 'p'
  elseif held then
    numbers[#numbers + 1] = tonumber(held)
  elseif state == 'OPEN' then
    issued = issued + 1
    gave = true
    redis.call('HSET', NUMBERS, buyer, issued)
    numbers[#numbers + 1] = issued
  elseif state == 'NOT_OPEN' and now >= opensAt - prequeueMs then
    redis.call('HSET', NUMBERS, buyer, 'p')
    redis.call('RPUSH', PREQUEUE, buyer)
    numbers[#numbers + 1] = 'p'
  else
    numbers[#numbers + 1] = 0
  end
end
if gave then redis.call('HSET', LINE, 'next', issued) end

-- The watermark some time ago (the newest step at or before t).
local function watermarkAt(t)
  local step = redis.call('ZREVRANGEBYSCORE', SERVED_AT, t, '-inf', 'LIMIT', 0, 1)
  if #step == 0 then return 0 end
  return tonumber(string.match(step[1], '^(%d+):'))
end
local function usedBetween(low, high)
  if high <= low then return 0 end
  return redis.call('ZCOUNT', USED, '(' .. low, high)
end

-- The pace meter: used tickets per second, a moving average over about a second. It learns only
-- while served buyers are waiting to order, so an idle line keeps the pace it measured last.
local usedTotal = redis.call('ZCARD', USED)
local expired = watermarkAt(now - windowMs)
local fresh = watermarkAt(now - aheadMs)
local pendingAll = (nowServing - expired) - usedBetween(expired, nowServing)
local pendingFresh = (nowServing - fresh) - usedBetween(fresh, nowServing)
-- Served numbers that have not ordered for noShowAfterMs are likely no-shows: only those let the
-- line serve past the units left (by at most the margin), so the boundary stays in arrival order.
local stale = watermarkAt(now - noShowAfterMs)
local pendingStale = stale > expired and (stale - expired) - usedBetween(expired, stale) or 0
if paceAt == 0 then
  paceAt, paceUsed = now, usedTotal
elseif now - paceAt >= 250 then
  local dt = now - paceAt
  local rate = math.max(0, usedTotal - paceUsed) * 1000 / dt
  if rate > pace or pendingAll > 0 then pace = pace + math.min(1, dt / 1000) * (rate - pace) end
  paceAt, paceUsed = now, usedTotal
end

-- L2: serve ahead of the order path's pace, within the units left plus the no-show margin.
local served = 0
if state == 'OPEN' then
  local cap = math.max(minServing, math.ceil(pace * aheadMs / 1000))
  local stockCap = available + math.min(math.ceil(available * marginPermille / 1000), pendingStale)
  served = math.min(issued - nowServing, cap - pendingFresh, stockCap - pendingAll)
  if served > 0 then
    nowServing = nowServing + served
    redis.call('ZADD', SERVED, nowServing, now .. ':' .. nowServing)
    redis.call('ZADD', SERVED_AT, now, nowServing .. ':' .. now)
  else
    served = 0
  end
end
redis.call('HSET', LINE, 'nowServing', nowServing, 'paceAt', paceAt, 'paceUsed', paceUsed, 'pace', tostring(pace))

-- Steps older than the oldest window still open are not needed (keep the one at the boundary).
if expired > 0 then
  redis.call('ZREMRANGEBYSCORE', SERVED, '-inf', '(' .. expired)
  local boundary = redis.call('ZREVRANGEBYSCORE', SERVED_AT, now - windowMs, '-inf', 'LIMIT', 0, 1, 'WITHSCORES')
  if #boundary > 0 then redis.call('ZREMRANGEBYSCORE', SERVED_AT, '-inf', '(' .. boundary[2]) end
end

local waiting = opened and math.max(0, issued - nowServing) or redis.call('LLEN', PREQUEUE)
local admitPerSecond = math.max(pace, minServing * 1000 / aheadMs)
return cjson.encode({
  status = 'ok', state = state, now = now, nowServing = nowServing, issued = issued, waiting = waiting,
  available = available, pace = pace, admitPerSecond = admitPerSecond, opensAt = opensAt, closesAt = closesAt,
  used = usedTotal, noShows = expired - (expired > 0 and redis.call('ZCOUNT', USED, '-inf', expired) or 0),
  holding = math.max(0, pendingAll + served),
  numbers = numbers,
})
`;

/**
 * The reservation script's ticket check (stock-scripts.lua.ts RESERVE_LUA), for the one product the
 * buyer's ticket names. The edge's signature on the ticket was checked by the caller (ticket.ts);
 * here its number is checked against the line: served, inside its window (L4), not used yet (L3).
 * Defines admitTicket(keys, buyer, now, windowMs) -> the number, nil, when it was served (admitted)
 * or nil and a detail 'NOT_IN_LINE' | 'WAITING:<place>' | 'EXPIRED' | 'USED'; useTicket records
 * the use and the served-to-ordered time.
 * keys: {line, numbers, used, served}.
 */
export const LINE_TICKET_LUA = `
local function admitTicket(keys, buyer, now, windowMs)
  local number = redis.call('HGET', keys[2], buyer)
  if not number or number == 'p' then return nil, 'NOT_IN_LINE' end
  number = tonumber(number)
  local nowServing = tonumber(redis.call('HGET', keys[1], 'nowServing') or '0')
  if number > nowServing then return nil, 'WAITING:' .. (number - nowServing) end
  if redis.call('ZSCORE', keys[3], buyer) then return nil, 'USED' end
  local step = redis.call('ZRANGEBYSCORE', keys[4], number, '+inf', 'LIMIT', 0, 1)
  local servedAt = step[1] and tonumber(string.match(step[1], '^(%d+):')) or 0
  if now > servedAt + windowMs then return nil, 'EXPIRED' end
  return number, nil, servedAt
end
local function useTicket(keys, buyer, number, now, servedAt)
  redis.call('ZADD', keys[3], number, buyer)
  -- How long served buyers take to order (a moving average over about 20 orders; the line serves ahead of it, L2).
  local latency = tonumber(redis.call('HGET', keys[1], 'latency') or '-1')
  local took = math.max(0, now - servedAt)
  redis.call('HSET', keys[1], 'latency', latency < 0 and took or math.floor(latency + (took - latency) / 20))
end
`;
