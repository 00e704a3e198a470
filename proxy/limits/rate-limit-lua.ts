/**
 * Lua for the Redis sliding window log (see rate-limit-store.ts). Each rule has three keys in
 * the tenant's hash slot: a ZSET of admitted request ids, a ZSET of `<id>:<tokens>` entries
 * and a STRING with the sum of those tokens (kept incrementally; rebuilt from the ZSET if it
 * vanished, taken as 0 when the ZSET is empty). Scores are microseconds of the Redis server's TIME, so every instance shares one
 * clock. Every write sets a TTL of window + 1 s: an idle subject leaves nothing behind.
 */

const COMMON = `
local function tokens_of(member)
  return tonumber(string.match(member, ':(%d+)$')) or 0
end
local function server_now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
`;

/**
 * KEYS: per rule i: req zset, tok zset, tok sum.
 * ARGV: windowUs, id, tokens, ttlMs, then per rule: requestLimit, tokenLimit (0 = unlimited).
 * Returns: allowed, retryUs (-1 = never), refusedRule, refusedDim (1 req, 2 tok), then per rule:
 *   reqRemaining, reqResetUs, tokRemaining, tokResetUs.
 */
export const ADMIT_LUA = `${COMMON}
local now = server_now_us()
local window = tonumber(ARGV[1])
local id = ARGV[2]
local tokens = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local cutoff = now - window
local n = #KEYS / 3
local allowed = 1
local retry = 0
local refused_rule = 0
local refused_dim = 0
local sums = {}

local function refuse(i, dim, wait)
  if allowed == 1 or (retry >= 0 and (wait < 0 or wait > retry)) then
    refused_rule = i
    refused_dim = dim
    retry = wait
  end
  allowed = 0
end

local function prune_tokens(tk, sk)
  local sum = tonumber(redis.call('GET', sk) or '-1')
  local expired = redis.call('ZRANGEBYSCORE', tk, '-inf', cutoff)
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', tk, '-inf', cutoff) end
  if sum < 0 then
    sum = 0
    for _, m in ipairs(redis.call('ZRANGE', tk, 0, -1)) do sum = sum + tokens_of(m) end
  else
    for _, m in ipairs(expired) do sum = sum - tokens_of(m) end
  end
  if sum < 0 or redis.call('ZCARD', tk) == 0 then sum = 0 end
  return sum
end

for i = 1, n do
  local rk, tk, sk = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local rl = tonumber(ARGV[3 + 2 * i])
  local tl = tonumber(ARGV[4 + 2 * i])
  if rl > 0 then
    redis.call('ZREMRANGEBYSCORE', rk, '-inf', cutoff)
    local c = redis.call('ZCARD', rk)
    if c >= rl then
      local e = redis.call('ZRANGE', rk, c - rl, c - rl, 'WITHSCORES')
      refuse(i, 1, tonumber(e[2]) + window - now)
    end
  end
  if tl > 0 then
    local s = prune_tokens(tk, sk)
    sums[i] = s
    if s + tokens > tl then
      if tokens > tl then
        refuse(i, 2, -1)
      else
        local need = s + tokens - tl
        local freed = 0
        local wait = window
        local entries = redis.call('ZRANGE', tk, 0, -1, 'WITHSCORES')
        for j = 1, #entries, 2 do
          freed = freed + tokens_of(entries[j])
          if freed >= need then wait = tonumber(entries[j + 1]) + window - now; break end
        end
        refuse(i, 2, wait)
      end
    end
  end
end

local out = { allowed, retry, refused_rule, refused_dim }
for i = 1, n do
  local rk, tk, sk = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  local rl = tonumber(ARGV[3 + 2 * i])
  local tl = tonumber(ARGV[4 + 2 * i])
  local req_remaining, req_reset, tok_remaining, tok_reset = 0, 0, 0, 0
  if rl > 0 then
    if allowed == 1 then
      redis.call('ZADD', rk, now, id)
      redis.call('PEXPIRE', rk, ttl)
    end
    req_remaining = math.max(0, rl - redis.call('ZCARD', rk))
    local oldest = redis.call('ZRANGE', rk, 0, 0, 'WITHSCORES')
    if oldest[2] then req_reset = math.max(0, tonumber(oldest[2]) + window - now) end
  end
  if tl > 0 then
    local s = sums[i]
    if allowed == 1 then
      redis.call('ZADD', tk, now, id .. ':' .. tokens)
      redis.call('PEXPIRE', tk, ttl)
      s = s + tokens
    end
    if redis.call('EXISTS', tk) == 1 then
      redis.call('PEXPIRE', tk, ttl)
      redis.call('SET', sk, s, 'PX', ttl)
    else
      redis.call('DEL', sk)
    end
    tok_remaining = math.max(0, tl - s)
    local oldest = redis.call('ZRANGE', tk, 0, 0, 'WITHSCORES')
    if oldest[2] then tok_reset = math.max(0, tonumber(oldest[2]) + window - now) end
  end
  table.insert(out, req_remaining)
  table.insert(out, req_reset)
  table.insert(out, tok_remaining)
  table.insert(out, tok_reset)
end
return out
`;

/**
 * KEYS: per subject: tok zset, tok sum. ARGV: id, oldTokens, newTokens, ttlMs.
 * Replaces the entry at its original score; an entry that already left the window stays gone.
 */
export const CORRECT_LUA = `
local old = ARGV[1] .. ':' .. ARGV[2]
local new = ARGV[1] .. ':' .. ARGV[3]
local delta = tonumber(ARGV[3]) - tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  local tk, sk = KEYS[2 * i - 1], KEYS[2 * i]
  local score = redis.call('ZSCORE', tk, old)
  if score then
    redis.call('ZREM', tk, old)
    redis.call('ZADD', tk, score, new)
    redis.call('PEXPIRE', tk, ARGV[4])
    if redis.call('EXISTS', sk) == 1 then
      local s = redis.call('INCRBY', sk, delta)
      if s < 0 then redis.call('SET', sk, 0, 'KEEPTTL') end
    end
  end
end
return 1
`;
