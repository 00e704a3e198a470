/**
 * Lua for the Redis spend ledger. Per tenant and month (all keys in the tenant's hash slot):
 *   H  `…:spend:<month>`         HASH  spent, reserved (µUSD), `u:<user>` spend, `a:<threshold>` alert marks
 *   Z  `…:spend:<month>:res`     ZSET  reservation id → expiry (ms, Redis server TIME)
 *   A  `…:spend:<month>:resamt`  HASH  reservation id → amount, or -1 once settled
 * A settled id stays marked for a grace period so a retried settle (whose first reply was
 * lost) is recognised and not charged twice. Expired reservations are released by whichever
 * call comes next (bounded per call). Every write renews the keys' retention TTL.
 */

const PURGE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function purge(H, Z, A, now)
  local expired = redis.call('ZRANGEBYSCORE', Z, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local v = tonumber(redis.call('HGET', A, id) or '-1')
    if v > 0 then redis.call('HINCRBY', H, 'reserved', -v) end
    redis.call('HDEL', A, id)
    redis.call('ZREM', Z, id)
  end
end
local function keep(H, Z, A, retention)
  redis.call('PEXPIRE', H, retention)
  if redis.call('EXISTS', Z) == 1 then redis.call('PEXPIRE', Z, retention) end
  if redis.call('EXISTS', A) == 1 then redis.call('PEXPIRE', A, retention) end
end
`;

/** KEYS H Z A. ARGV id, amount, cap, ttlMs, retentionMs. Returns {ok, spent, reserved}. */
export const RESERVE_LUA = `${PURGE}
local H, Z, A = KEYS[1], KEYS[2], KEYS[3]
local now = now_ms()
purge(H, Z, A, now)
local amount = tonumber(ARGV[2])
local spent = tonumber(redis.call('HGET', H, 'spent') or '0')
local reserved = tonumber(redis.call('HGET', H, 'reserved') or '0')
if spent + reserved + amount > tonumber(ARGV[3]) then
  return { 0, spent, reserved }
end
redis.call('ZADD', Z, now + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', A, ARGV[1], amount)
redis.call('HINCRBY', H, 'reserved', amount)
keep(H, Z, A, ARGV[5])
return { 1, spent, reserved }
`;

/** KEYS H Z A. ARGV id, ttlMs, retentionMs. Returns 1 if the reservation was open. */
export const RENEW_LUA = `${PURGE}
local H, Z, A = KEYS[1], KEYS[2], KEYS[3]
local now = now_ms()
local v = tonumber(redis.call('HGET', A, ARGV[1]) or '-1')
if v < 0 then return 0 end
redis.call('ZADD', Z, 'XX', now + tonumber(ARGV[2]), ARGV[1])
keep(H, Z, A, ARGV[3])
return 1
`;

/**
 * KEYS H Z A. ARGV id, cost, user ('' = none), cap (0 = no alerts), graceMs, retentionMs,
 * assistant ('' = none), tier ('' = none), thresholds…  Returns {status (1 charged, 2 duplicate), spent, crossed thresholds…}.
 */
export const SETTLE_LUA = `${PURGE}
local H, Z, A = KEYS[1], KEYS[2], KEYS[3]
local now = now_ms()
purge(H, Z, A, now)
local id = ARGV[1]
local cost = tonumber(ARGV[2])
local v = redis.call('HGET', A, id)
if v and tonumber(v) < 0 then
  return { 2, tonumber(redis.call('HGET', H, 'spent') or '0') }
end
if v then redis.call('HINCRBY', H, 'reserved', -tonumber(v)) end
redis.call('HSET', A, id, -1)
redis.call('ZADD', Z, now + tonumber(ARGV[5]), id)
if cost > 0 then
  redis.call('HINCRBY', H, 'spent', cost)
  if ARGV[3] ~= '' then redis.call('HINCRBY', H, 'u:' .. ARGV[3], cost) end
  if ARGV[7] ~= '' then redis.call('HINCRBY', H, 's:' .. ARGV[7], cost) end
  if ARGV[8] ~= '' then redis.call('HINCRBY', H, 't:' .. ARGV[8], cost) end
end
local spent = tonumber(redis.call('HGET', H, 'spent') or '0')
local out = { 1, spent }
local cap = tonumber(ARGV[4])
if cost > 0 and cap > 0 and spent > 0 then
  for i = 9, #ARGV do
    local th = ARGV[i]
    if spent * 100 >= cap * tonumber(th) and redis.call('HSETNX', H, 'a:' .. th, now) == 1 then
      table.insert(out, th)
    end
  end
end
keep(H, Z, A, ARGV[6])
return out
`;

/** KEYS H Z A. Releases expired reservations, then returns {HGETALL H, open reservation count}. */
export const READ_LUA = `${PURGE}
local H, Z, A = KEYS[1], KEYS[2], KEYS[3]
purge(H, Z, A, now_ms())
local open = 0
for _, v in ipairs(redis.call('HVALS', A)) do
  if tonumber(v) >= 0 then open = open + 1 end
end
return { redis.call('HGETALL', H), open }
`;
