/** Lua shared by the stock scripts (stock-scripts.lua.ts) and the waiting room's (waiting-room/line-scripts.lua.ts). */
import { LISTING_FIELDS, STOCK_HASH_FIELDS } from './stock-hash';

const luaList = (names: readonly string[]) => `{${names.map((n) => `'${n}'`).join(', ')}}`;

/** Shared helpers: read a stock hash by field name, write its listing from consecutive ARGV. */
export const STOCK_PRELUDE = `
local STOCK_FIELDS = ${luaList(STOCK_HASH_FIELDS)}
local LISTING_FIELDS = ${luaList(LISTING_FIELDS)}
local function readStock(key)
  local values = redis.call('HMGET', key, unpack(STOCK_FIELDS))
  if not values[1] then return nil end
  local hash = {}
  for i, field in ipairs(STOCK_FIELDS) do hash[field] = values[i] end
  return hash
end
local function writeListing(key, firstArg)
  local args = {}
  for i, field in ipairs(LISTING_FIELDS) do
    args[#args + 1] = field
    args[#args + 1] = ARGV[firstArg + i - 1]
  end
  redis.call('HSET', key, unpack(args))
end
-- The replication history this node's data belongs to (a promoted replica or a restart starts a new one).
local function historyId()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)')
end
local function redisNowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

