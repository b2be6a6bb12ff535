-- Pacer: one pool's buckets on Redis. Every call is one atomic decision (see RedisPool.java and
-- docs/distributed.md). The arithmetic is InMemoryBucketStore's (pacer-core), in microseconds:
-- levels are doubles, refilled continuously at limit / window up to the capacity, less a drain.
--
-- KEYS[1] the pool's state (hash)      {prefix:pool}:state
-- KEYS[2] waiting processes (zset: process id, score = when it began to wait, microseconds)
-- KEYS[3] each waiting process's need, expiry and ticket (hash: process id -> "n0,n1,n2,expiry,ticket")
-- KEYS[4] the born marker: the pool has lived on this Redis (outlives idle expiry)
-- KEYS[5] the channel told when capacity comes back early
-- (op "beat" uses KEYS[1] only: the live processes, a zset of id -> expiry)
--
-- ARGV[1] op, ARGV[2] now in microseconds ("" = Redis's TIME), ARGV[3] window in microseconds,
-- ARGV[4] 1 if this process has seen the pool before, ARGV[5..10] its limits and capacities
-- (limit -1: unknown), ARGV[11] the caller's id (a process), ARGV[12..] the op's own arguments.

local op = ARGV[1]
local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[2])
end

local function fmt(v)
  if v ~= v then
    return 'nan'
  end
  return string.format('%.17g', v)
end

if op == 'beat' then
  -- A process's heartbeat: alive until ARGV[12] microseconds from now; answers how many are.
  local ttl = tonumber(ARGV[12])
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[11])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(3 * ttl / 1000))
  return redis.call('ZCARD', KEYS[1])
end

if op == 'leave' then
  redis.call('ZREM', KEYS[1], ARGV[11])
  return 0
end

local WAIT_FOREVER_NANOS = 2305843009213693951 -- Long.MAX_VALUE / 4, as TokenBucket says
local caller = ARGV[11]

local function publish()
  if redis.call('ZCARD', KEYS[2]) > 0 then
    redis.call('PUBLISH', KEYS[5], caller)
  end
end

if op == 'withdraw' then
  -- The caller's waiter stopped waiting: its process leaves the queue, if that waiter is the one
  -- holding its place (a later waiter of the same process may have taken it over).
  local entry = redis.call('HGET', KEYS[3], caller)
  if entry and string.match(entry, '^[^,]+,[^,]+,[^,]+,[^,]+,(.*)$') == ARGV[12] then
    redis.call('ZREM', KEYS[2], caller)
    redis.call('HDEL', KEYS[3], caller)
    publish()
  end
  return 0
end

-- ---- load ---------------------------------------------------------------------------------

local s = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do
  local field = raw[i]
  if field == 'r1' or field == 'r2' then
    s[field] = raw[i + 1] -- the latest takers' process ids (see op take)
  else
    s[field] = tonumber(raw[i + 1])
  end
end
local existed = #raw > 0
local L, C, X, D, T, G, K = {}, {}, {}, {}, {}, {}, {}
local window
if existed then
  window = s.w
  for b = 0, 2 do
    L[b] = s['l' .. b]; C[b] = s['c' .. b]; X[b] = s['x' .. b]; D[b] = s['d' .. b]
    T[b] = s['t' .. b]; G[b] = s['g' .. b]; K[b] = s['k' .. b]
  end
else
  -- A pool this Redis does not hold: born from the caller's limits. Full if it is new, or only
  -- expired after lying idle (the marker says it lived here, and idle buckets refill); empty if
  -- the caller saw it before and the marker is gone too: Redis lost its state (a restart), and
  -- what the processes consumed up to then is unknown.
  window = tonumber(ARGV[3])
  local lost = ARGV[4] == '1' and redis.call('EXISTS', KEYS[4]) == 0
  for b = 0, 2 do
    local limit = tonumber(ARGV[5 + 2 * b])
    local capacity = tonumber(ARGV[6 + 2 * b])
    if limit > 0 then
      L[b] = limit
      C[b] = math.max(1, math.min(capacity, limit))
      X[b] = lost and 0 or C[b]
    else
      L[b] = -1; C[b] = 0; X[b] = 0
    end
    D[b] = 0; T[b] = now; G[b] = 0; K[b] = 0
  end
end
local pausedUntil = s.p

local function known(b)
  return L[b] > 0
end

local function rate(b)
  return known(b) and L[b] / window or 0
end

local function refill(b)
  local elapsed = now - T[b]
  if elapsed > 0 then
    X[b] = math.min(C[b], X[b] + elapsed * (rate(b) - D[b]))
    T[b] = now
  end
end

local function save()
  local args = {'w', fmt(window)}
  for b = 0, 2 do
    for _, kv in ipairs({{'l', L[b]}, {'c', C[b]}, {'x', X[b]}, {'d', D[b]}, {'t', T[b]}, {'g', G[b]}, {'k', K[b]}}) do
      args[#args + 1] = kv[1] .. b
      args[#args + 1] = fmt(kv[2])
    end
  end
  if pausedUntil then
    args[#args + 1] = 'p'
    args[#args + 1] = fmt(pausedUntil)
  end
  redis.call('HSET', KEYS[1], unpack(args))
  -- Unused state expires: two windows (every bucket is full again by then) plus a pause.
  local ttl = 2 * window
  if pausedUntil and pausedUntil > now then
    ttl = ttl + (pausedUntil - now)
  end
  local ttlMillis = math.max(1000, math.ceil(ttl / 1000))
  redis.call('PEXPIRE', KEYS[1], ttlMillis)
  redis.call('PEXPIRE', KEYS[2], ttlMillis)
  redis.call('PEXPIRE', KEYS[3], ttlMillis)
  redis.call('SET', KEYS[4], '1', 'PX', math.max(86400000, 4 * ttlMillis))
end

local function giveBack(b, amount)
  if known(b) then
    refill(b)
    X[b] = math.min(C[b], X[b] + amount)
  end
end

local function take(b, amount)
  if known(b) then
    refill(b)
    X[b] = X[b] - amount
  end
end

local function levelOrNaN(b)
  if known(b) then
    refill(b)
    return X[b]
  end
  return 0 / 0
end

-- ---- ops ----------------------------------------------------------------------------------

if op == 'configure' then
  local b = tonumber(ARGV[12])
  local limit = tonumber(ARGV[13])
  local capacity = tonumber(ARGV[14])
  if L[b] ~= limit or math.abs(C[b] - math.min(capacity, limit)) > 1e-9 then
    refill(b)
    local wasKnown = known(b)
    L[b] = limit
    C[b] = math.max(1, math.min(capacity, limit))
    if wasKnown then
      X[b] = math.min(X[b], C[b])
    else
      X[b] = C[b]
    end
    save()
    publish()
  elseif not existed then
    save()
  end
  return 0
end

if op == 'capacity' then
  local b = tonumber(ARGV[12])
  refill(b)
  C[b] = math.max(1, math.min(tonumber(ARGV[13]), L[b]))
  X[b] = math.min(X[b], C[b])
  save()
  return 0
end

if op == 'take' then
  local need = {[0] = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])}
  local ticket = ARGV[15]
  local grace = tonumber(ARGV[16])
  -- What this process leaves in each bucket (its jitter allowance, PoolBuckets.setFloor).
  local floor = {[0] = tonumber(ARGV[17]), tonumber(ARGV[18]), tonumber(ARGV[19])}
  -- A process holds one place in the queue, for the waiter it asks for now (its head). Places
  -- whose process stopped asking (it died, or stopped waiting without saying) leave.
  local expired = {}
  local waiting = redis.call('HGETALL', KEYS[3])
  local expiryOf, needOf = {}, {}
  for i = 1, #waiting, 2 do
    local n0, n1, n2, e = string.match(waiting[i + 1], '^([^,]+),([^,]+),([^,]+),([^,]+),')
    e = tonumber(e)
    if e < now then
      expired[#expired + 1] = waiting[i]
    else
      expiryOf[waiting[i]] = e
      needOf[waiting[i]] = {[0] = tonumber(n0), tonumber(n1), tonumber(n2)}
    end
  end
  if #expired > 0 then
    redis.call('ZREM', KEYS[2], unpack(expired))
    redis.call('HDEL', KEYS[3], unpack(expired))
  end
  local mine = redis.call('ZSCORE', KEYS[2], caller)

  local function register(waitNanos)
    local expiry = now + waitNanos / 1000 + grace
    if not mine then
      redis.call('ZADD', KEYS[2], now, caller)
    end
    redis.call('HSET', KEYS[3], caller,
        fmt(need[0]) .. ',' .. fmt(need[1]) .. ',' .. fmt(need[2]) .. ',' .. fmt(expiry) .. ',' .. ticket)
    save()
  end

  if pausedUntil then
    if pausedUntil > now then
      local wait = math.ceil((pausedUntil - now) * 1000)
      register(wait)
      return {0, fmt(wait), -1, 1}
    end
    pausedUntil = nil
    redis.call('HDEL', KEYS[1], 'p')
  end

  -- Older waiters (of any process) keep what they need: this one fits only above it.
  local older
  if mine then
    older = redis.call('ZRANGE', KEYS[2], '-inf', '(' .. mine, 'BYSCORE')
  else
    older = redis.call('ZRANGE', KEYS[2], 0, -1)
  end
  local held = {[0] = 0, 0, 0}
  local earliestExpiry
  for _, other in ipairs(older) do
    local n = needOf[other]
    if n and other ~= caller then
      for b = 0, 2 do
        if known(b) then
          held[b] = held[b] + math.min(n[b], C[b])
        end
      end
      if not earliestExpiry or expiryOf[other] < earliestExpiry then
        earliestExpiry = expiryOf[other]
      end
    end
  end

  local longest, binding = 0, -1
  for b = 0, 2 do
    local wait = 0
    if known(b) and need[b] > 0 then
      refill(b)
      local target = held[b] + math.min(need[b] + floor[b], C[b])
      if X[b] < target then
        if held[b] > 0 and target > C[b] then
          -- Cannot fit until an older waiter is served: that waiter is told when it fits; we
          -- are told when it is gone at the latest, and woken on the channel before.
          wait = math.max(1000000, (earliestExpiry - now) * 1000)
        else
          local net = rate(b) - D[b]
          if net <= 0 then
            wait = WAIT_FOREVER_NANOS
          else
            wait = math.ceil((target - X[b]) / net * 1000)
          end
        end
      end
    end
    if wait > longest then
      longest = wait
      binding = b
    end
  end
  if longest > 0 then
    longest = math.min(longest, WAIT_FOREVER_NANOS)
    register(longest)
    return {0, fmt(longest), binding, 0}
  end

  local out = {1}
  for b = 0, 2 do
    take(b, need[b])
    G[b] = G[b] + need[b]
  end
  for b = 0, 2 do out[#out + 1] = fmt(levelOrNaN(b)) end
  for b = 0, 2 do out[#out + 1] = fmt(G[b]) end
  for b = 0, 2 do out[#out + 1] = fmt(K[b]) end
  if mine then
    -- Served: the process goes to the back of the queue for its next waiter.
    redis.call('ZREM', KEYS[2], caller)
    redis.call('HDEL', KEYS[3], caller)
  end
  -- The two latest distinct takers (read by op correct), in the pool's own hash: a process
  -- that joined a moment ago is known here at once, before any heartbeat counts it.
  if s.r1 and s.r1 ~= caller then
    redis.call('HSET', KEYS[1], 'r2', s.r1, 'rt2', fmt(s.rt1))
  end
  save()
  redis.call('HSET', KEYS[1], 'r1', caller, 'rt1', fmt(now))
  return out
end

if op == 'charge' then
  local back = false
  for b = 0, 2 do
    local delta = tonumber(ARGV[12 + b])
    if delta < 0 then
      giveBack(b, -delta)
      back = true
    elseif delta > 0 then
      take(b, delta)
    end
    G[b] = G[b] + delta
  end
  save()
  if back then publish() end
  return 0
end

if op == 'correct' then
  local b = tonumber(ARGV[12])
  local remaining = tonumber(ARGV[13])
  local tolerance = tonumber(ARGV[14])
  local forecast = tonumber(ARGV[15])
  local correctionAt = tonumber(ARGV[16])
  local mayRaise = ARGV[17] == '1'
  -- A reading may raise the shared level only while no other process took from the pool within
  -- the last window: its grants may be under way, unseen by the server when this reading was
  -- made (the caller's heartbeat count may not know the newcomer yet).
  if mayRaise then
    for _, taker in ipairs({{s.r1, s.rt1}, {s.r2, s.rt2}}) do
      if taker[1] and taker[1] ~= caller and now - taker[2] < window then
        mayRaise = false
      end
    end
  end
  local heldByOthers = tonumber(ARGV[18])
  local deferRaise = ARGV[19] == '1'
  local err = remaining - forecast - (K[b] - correctionAt)
  if err < -tolerance then
    local amount = tolerance - err
    if known(b) and amount > 0 then
      refill(b)
      X[b] = X[b] - amount
    end
    K[b] = K[b] - amount
    save()
    return fmt(-amount)
  end
  if not mayRaise or err <= tolerance then
    if not existed then save() end
    return '0'
  end
  local raise = err - tolerance - heldByOthers
  if raise > 0 and not deferRaise then
    giveBack(b, raise)
    K[b] = K[b] + raise
    save()
    publish()
  elseif not existed then
    save()
  end
  return fmt(math.max(0, raise))
end

if op == 'raise' then
  local b = tonumber(ARGV[12])
  local amount = tonumber(ARGV[13])
  giveBack(b, amount)
  K[b] = K[b] + amount
  save()
  publish()
  return 0
end

if op == 'lower' then
  local b = tonumber(ARGV[12])
  refill(b)
  X[b] = math.min(C[b], math.min(X[b], tonumber(ARGV[13])))
  save()
  return 0
end

if op == 'drain' then
  local b = tonumber(ARGV[12])
  refill(b)
  D[b] = math.max(0, math.min(tonumber(ARGV[13]), rate(b)))
  save()
  return 0
end

if op == 'pause' then
  local untilAt = now + tonumber(ARGV[12])
  if not pausedUntil or untilAt > pausedUntil then
    pausedUntil = untilAt
  end
  save()
  return 0
end

if op == 'state' then
  -- Read only: a pool Redis does not hold is shown as it would be born, and not written.
  local out = {}
  for b = 0, 2 do out[#out + 1] = known(b) and L[b] or -1 end
  for b = 0, 2 do out[#out + 1] = known(b) and fmt(C[b]) or 'nan' end
  for b = 0, 2 do out[#out + 1] = fmt(levelOrNaN(b)) end
  local pausedFor = 0
  if pausedUntil and pausedUntil > now then
    pausedFor = math.ceil((pausedUntil - now) * 1000)
  end
  out[#out + 1] = fmt(pausedFor)
  return out
end

return redis.error_reply('pacer: unknown op ' .. tostring(op))
