import { LuaScript } from './lua-script.js';

// The Redis side of the work queue. Every script reads the clock with TIME, so leases and due times
// never depend on the clocks of the machines running workers. Key layout (per service S, see Keyspace):
//   received   P:S:mqrecieved    LPUSH by producers, taken from the right (RPOPLPUSH semantics: FIFO)
//   inprogress P:S:mqinprogress  taken messages, newest on the left (as RPOPLPUSH leaves them)
//   incomplete P:S:mqincomplete  dead letters, RPUSHed with bdy.reason
//   leases     P:S:hn:leases     ZSET exact message string -> lease expiry (ms)
//   deliveries P:S:hn:deliveries HASH exact message string -> "attempts:firstDeliveredMs"
//   dups       P:S:hn:dups       HASH exact message string -> extra leased copies of the same string
//   delayed    P:S:hn:delayed    ZSET exact message string -> due time (ms)
// A message is owned by whoever finds it in inprogress: settling first LREMs it and does nothing more
// when it is gone (already settled, reclaimed or purged), which makes every settlement idempotent.

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// Drops one leased copy: identical strings leased twice share one lease entry, counted in dups.
const RELEASE = `
local function release(leases, dups, m)
  if redis.call('HEXISTS', dups, m) == 1 then
    if redis.call('HINCRBY', dups, m, -1) <= 0 then redis.call('HDEL', dups, m) end
  else
    redis.call('ZREM', leases, m)
  end
end
`;

/**
 * Settles finished messages, then takes up to `take` new ones, in one round trip. A message longer than
 * `maxBytes` (0: no limit) is not taken: it goes to incomplete as it is, so no worker ever loads it.
 * KEYS: received, inprogress, leases, deliveries, dups, delayed, incomplete.
 * ARGV: take, leaseMs, maxBytes, nDone, nRetry, nFail, done..., (retry, delayMs)..., (fail, deadLetter)...
 * Returns a flat array: how many oversized messages were moved and the size of the largest, then
 * message, attempt, firstDeliveredMs for each message taken.
 */
export const settleAndTakeScript = new LuaScript(
  'settle-and-take',
  `${NOW}${RELEASE}
local received, inprogress, leases, deliveries, dups = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local i = 7
for _ = 1, tonumber(ARGV[4]) do
  local m = ARGV[i]
  i = i + 1
  if redis.call('LREM', inprogress, -1, m) > 0 then
    release(leases, dups, m)
    redis.call('HDEL', deliveries, m)
  end
end
for _ = 1, tonumber(ARGV[5]) do
  local m, delay = ARGV[i], tonumber(ARGV[i + 1])
  i = i + 2
  if redis.call('LREM', inprogress, -1, m) > 0 then
    release(leases, dups, m)
    if delay <= 0 then redis.call('RPUSH', received, m) else redis.call('ZADD', KEYS[6], now + delay, m) end
  end
end
for _ = 1, tonumber(ARGV[6]) do
  local m = ARGV[i]
  i = i + 2
  if redis.call('LREM', inprogress, -1, m) > 0 then
    release(leases, dups, m)
    redis.call('HDEL', deliveries, m)
    redis.call('RPUSH', KEYS[7], ARGV[i - 1])
  end
end
local out = {0, 0}
local deadline = now + tonumber(ARGV[2])
local maxBytes = tonumber(ARGV[3])
local taken, moves = 0, 0
-- Oversized messages do not count as taken; at most 100 of them are moved per call.
while taken < tonumber(ARGV[1]) and moves < tonumber(ARGV[1]) + 100 do
  local m = redis.call('LMOVE', received, inprogress, 'RIGHT', 'LEFT')
  if not m then break end
  moves = moves + 1
  if maxBytes > 0 and #m > maxBytes then
    redis.call('LMOVE', inprogress, KEYS[7], 'LEFT', 'RIGHT')
    out[1] = out[1] + 1
    if #m > out[2] then out[2] = #m end
  else
    taken = taken + 1
    if redis.call('ZADD', leases, deadline, m) == 0 then redis.call('HINCRBY', dups, m, 1) end
    local n, first = 1, now
    local d = redis.call('HGET', deliveries, m)
    if d then
      local sep = string.find(d, ':', 1, true)
      n = tonumber(string.sub(d, 1, sep - 1)) + 1
      first = tonumber(string.sub(d, sep + 1))
    end
    redis.call('HSET', deliveries, m, n .. ':' .. first)
    out[#out + 1] = m
    out[#out + 1] = n
    out[#out + 1] = first
  end
end
return out
`,
);

/**
 * Extends the leases of messages still being worked on (`XX`: a message reclaimed meanwhile is not
 * leased again). KEYS: leases. ARGV: leaseMs, message... Returns how many leases were extended.
 */
export const renewScript = new LuaScript(
  'renew-leases',
  `${NOW}
local deadline = now + tonumber(ARGV[1])
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', deadline, ARGV[i])
end
return renewed
`,
);

/**
 * Returns messages whose lease expired (their worker died or stalled) to the right end of received,
 * so they are delivered next (the one leased first, first). Safe when several reapers run at once.
 * KEYS: received, inprogress, leases, dups. ARGV: limit. Returns {moved, expiredLeases}.
 */
export const reclaimScript = new LuaScript(
  'reclaim-expired',
  `${NOW}
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local moved = 0
for j = #expired, 1, -1 do
  local m = expired[j]
  local copies = 1 + (tonumber(redis.call('HGET', KEYS[4], m)) or 0)
  local n = redis.call('LREM', KEYS[2], -copies, m)
  redis.call('ZREM', KEYS[3], m)
  redis.call('HDEL', KEYS[4], m)
  for _ = 1, n do redis.call('RPUSH', KEYS[1], m) end
  moved = moved + n
end
return {moved, #expired}
`,
);

/**
 * Opt-in recovery of in-progress messages WITHOUT a lease (taken by Hydra 1.x workers): each is
 * remembered when first seen and returned to received once it has stayed there `afterMs`.
 * KEYS: received, inprogress, leases, unleasedSeen. ARGV: afterMs. Returns how many were moved.
 */
export const reclaimUnleasedScript = new LuaScript(
  'reclaim-unleased',
  `${NOW}
local afterMs = tonumber(ARGV[1])
local present = {}
local moved = 0
for _, m in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  if not present[m] then
    present[m] = true
    if not redis.call('ZSCORE', KEYS[3], m) then
      local seen = redis.call('HGET', KEYS[4], m)
      if not seen then
        redis.call('HSET', KEYS[4], m, now)
      elseif now - tonumber(seen) >= afterMs then
        local n = redis.call('LREM', KEYS[2], 0, m)
        for _ = 1, n do redis.call('RPUSH', KEYS[1], m) end
        redis.call('HDEL', KEYS[4], m)
        moved = moved + n
      end
    end
  end
end
for _, m in ipairs(redis.call('HKEYS', KEYS[4])) do
  if not present[m] then redis.call('HDEL', KEYS[4], m) end
end
return moved
`,
);

/**
 * Moves due delayed messages to the right end of received (they are already late: delivered next,
 * earliest due first).
 * KEYS: delayed, received. ARGV: limit. Returns {moved, nextDueMs or -1, nowMs}.
 */
export const promoteScript = new LuaScript(
  'promote-due',
  `${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for j = #due, 1, -1 do
  redis.call('ZREM', KEYS[1], due[j])
  redis.call('RPUSH', KEYS[2], due[j])
end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {#due, tonumber(nxt[2]) or -1, now}
`,
);

/** Adds a message to delayed, due `delayMs` from now on Redis's clock. KEYS: delayed. ARGV: delayMs, message. */
export const delayScript = new LuaScript(
  'enqueue-delayed',
  `${NOW}
return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
`,
);

/**
 * Moves dead letters back to received (left end, as new arrivals), each replaced by its requeued form.
 * KEYS: incomplete, received. ARGV: (original, requeued)... Returns how many were moved.
 */
export const requeueScript = new LuaScript(
  'requeue-incomplete',
  `
local moved = 0
for i = 1, #ARGV, 2 do
  if redis.call('LREM', KEYS[1], 1, ARGV[i]) > 0 then
    redis.call('LPUSH', KEYS[2], ARGV[i + 1])
    moved = moved + 1
  end
end
return moved
`,
);
