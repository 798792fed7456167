// The Lua scripts of the Redis store: policies/rate-limit's window and decide rules, run in Redis.
//
// A counter is a hash `bucket start (ms) → amount`, plus `t<start> → last use (ms)` for sliding windows
// (window.ts Bucket.last; a bucket without one, written before it was kept, is held to its end).
// Each limit is passed as five ARGV fields:
// unit (0 requests, 1 tokens, 2 any other), limit, window ms, bucket ms, sliding? (1/0). Reservations live in one hash
// (`id → {t = tokens, e = {{key, bucket, amount, tokens?}}}`, or DONE once settled or released)
// and their leases in a sorted set scored by expiry. Numbers stay integers, so replies are exact.

const COMMON = `
local DONE = '~'
local SLACK = 60000
local function fmt(n) return string.format('%.0f', n) end
-- A bucket is { start, amount, last use }.
local function expires(b, s) if s.sl then return b[3] + s.w end return b[1] + s.w end
local function specs_at(o, n)
  local specs = {}
  for i = 1, n do
    local b = o + (i - 1) * 5
    specs[i] = { req = ARGV[b] == '0', tok = ARGV[b] == '1', limit = tonumber(ARGV[b + 1]),
      w = tonumber(ARGV[b + 2]), bm = tonumber(ARGV[b + 3]), sl = ARGV[b + 4] == '1' }
  end
  return specs
end
local function touch(key, ttl) if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end end
-- window.ts prune + state: the live buckets, oldest first; expired ones are deleted on the way.
local function load(key, s, now)
  local raw, lasts, fields, live, dead = redis.call('HGETALL', key), {}, {}, {}, {}
  for i = 1, #raw, 2 do
    if string.byte(raw[i], 1) == 116 then lasts[string.sub(raw[i], 2)] = tonumber(raw[i + 1]) else fields[#fields + 1] = i end
  end
  for _, i in ipairs(fields) do
    local start, amount = tonumber(raw[i]), tonumber(raw[i + 1])
    local b = { start, amount, lasts[raw[i]] or (start + s.bm) }
    if expires(b, s) <= now then
      dead[#dead + 1] = raw[i]
      dead[#dead + 1] = 't' .. raw[i]
    elseif amount > 0 then live[#live + 1] = b end
  end
  if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  return live
end
local function used_in(b) local u = 0 for _, x in ipairs(b) do u = u + x[2] end return u end
-- window.ts waitFor: how long until need more units fit; math.huge when they never can.
local function wait_for(s, b, now, need)
  if need > s.limit then return math.huge end
  local used = used_in(b)
  for _, x in ipairs(b) do
    if used + need <= s.limit then break end
    used = used - x[2]
    if used + need <= s.limit then return expires(x, s) - now end
  end
  return 0
end
local function reset_at(s, b, now)
  for i = #b, 1, -1 do if b[i][2] > 0 then return expires(b[i], s) end end
  return now
end
-- Adds usage spent by time t to bucket start; a sliding bucket's last use only moves later.
-- The key lives as long as the bucket counts. Returns the bucket's expiry.
local function put(key, s, start, t, amount, now)
  redis.call('HINCRBY', key, fmt(start), amount)
  local b = { start, amount, t }
  if s.sl then
    local f = 't' .. fmt(start)
    local cur = tonumber(redis.call('HGET', key, f))
    if cur and cur > t then b[3] = cur else redis.call('HSET', key, f, fmt(t)) end
  end
  local expiry = expires(b, s)
  touch(key, expiry - now + SLACK)
  return expiry
end
-- window.ts add: into the bucket of now. Returns the bucket's start and expiry.
local function add(key, s, now, amount)
  local start = now - (now % s.bm)
  return start, put(key, s, start, now, amount, now)
end
-- window.ts adjust: a bucket that has gone is left alone; none goes below zero.
local function adjust(key, start, delta)
  local f = fmt(start)
  local cur = redis.call('HGET', key, f)
  if not cur then return end
  local v = tonumber(cur) + delta
  if v > 0 then redis.call('HSET', key, f, fmt(v)) else redis.call('HDEL', key, f, 't' .. f) end
end
local function give_back(rec) for _, e in ipairs(cjson.decode(rec).e) do adjust(e[1], e[2], -e[3]) end end
-- Gives back reservations whose lease lapsed (their instance died) and forgets old tombstones.
local function sweep(res, leases, now, max)
  local ids = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(ids) do
    local rec = redis.call('HGET', res, id)
    if rec and rec ~= DONE then give_back(rec) end
    redis.call('HDEL', res, id)
    redis.call('ZREM', leases, id)
  end
end
local function tombstone(res, leases, id, now, ttl)
  redis.call('HSET', res, id, DONE)
  redis.call('ZADD', leases, now + ttl, id)
  touch(res, ttl + SLACK)
  touch(leases, ttl + SLACK)
end
local function snapshots(reply, keys, specs, now)
  for i = 1, #specs do
    local b = load(keys[i], specs[i], now)
    reply[#reply + 1] = used_in(b)
    reply[#reply + 1] = reset_at(specs[i], b, now)
  end
  return reply
end
`;

/** KEYS: counters…, reservations, leases. ARGV: id, now, prompt, desired, min output, lease ms, limits…
 * Reply: 1, allowance, tokens, (used, reset)…
 * or 0, check index, wait ms, needed, never fits, remaining, output that fits, (used, reset)… */
export const RESERVE = `${COMMON}
local n = #KEYS - 2
local res, leases = KEYS[n + 1], KEYS[n + 2]
local id, now = ARGV[1], tonumber(ARGV[2])
local prompt, desired, min_out, lease = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
sweep(res, leases, now, 32)
local specs, states = specs_at(7, n), {}
for i = 1, n do states[i] = load(KEYS[i], specs[i], now) end
-- decide.ts: every limit together; the refusal with the longest wait wins, never-fits longest of all.
local min_tokens = prompt + math.min(desired, min_out)
local room, refusal, only_tokens = math.huge, nil, true
for i = 1, n do
  local s, used, need = specs[i], used_in(states[i]), min_tokens
  if s.req then need = 1 end
  if s.tok then room = math.min(room, s.limit - used) end
  if used + need > s.limit then
    if not s.tok then only_tokens = false end
    local wait = wait_for(s, states[i], now, need)
    if not refusal or wait > refusal[2] then refusal = { i, wait, need, math.max(0, s.limit - used) } end
  end
end
if refusal then
  local never = refusal[2] == math.huge
  local fits = 0
  if only_tokens then fits = math.max(0, room - prompt) end
  return snapshots({ 0, refusal[1] - 1, never and 0 or refusal[2], refusal[3], never and 1 or 0, refusal[4], fits },
    KEYS, specs, now)
end
local allowance = math.max(0, math.min(desired, room - prompt))
local tokens = prompt + allowance
local entries, keep = {}, 0
for i = 1, n do
  local amount = specs[i].req and 1 or tokens
  local start, expiry = add(KEYS[i], specs[i], now, amount)
  entries[i] = { KEYS[i], start, amount, specs[i].tok and 1 or 0 }
  keep = math.max(keep, expiry - now)
end
redis.call('HSET', res, id, cjson.encode({ t = tokens, e = entries }))
redis.call('ZADD', leases, now + lease, id)
touch(res, keep + lease + SLACK)
touch(leases, keep + lease + SLACK)
return snapshots({ 1, allowance, tokens }, KEYS, specs, now)
`;

/** KEYS: counters…, reservations, leases. ARGV: id, now, actual tokens, tombstone ms, limits…
 * Reply: status (0 already done, 1 settled, 2 lease had lapsed: charged anew), (used, reset)… */
export const SETTLE = `${COMMON}
local n = #KEYS - 2
local res, leases = KEYS[n + 1], KEYS[n + 2]
local id, now, actual, tomb = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local specs = specs_at(5, n)
local rec, status = redis.call('HGET', res, id), 0
if rec == DONE then
  status = 0
elseif rec then
  local r = cjson.decode(rec)
  for _, e in ipairs(r.e) do if e[4] == 1 then adjust(e[1], e[2], actual - r.t) end end
  status = 1
else
  -- Swept while its request still ran (or Redis lost it): what was really used still counts.
  for i = 1, n do add(KEYS[i], specs[i], now, specs[i].req and 1 or actual) end
  status = 2
end
if status > 0 then tombstone(res, leases, id, now, tomb) end
return snapshots({ status }, KEYS, specs, now)
`;

/** KEYS: reservations, leases. ARGV: id, now, tombstone ms. Gives back everything once. */
export const RELEASE = `${COMMON}
local res, leases = KEYS[1], KEYS[2]
local id, now, tomb = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local rec = redis.call('HGET', res, id)
if rec == DONE then return 0 end
if rec then give_back(rec) end
tombstone(res, leases, id, now, tomb)
return 1
`;

/** KEYS: counters…. ARGV: now, limits…. Reply: (used, reset)… */
export const SNAPSHOT = `${COMMON}
local now = tonumber(ARGV[1])
return snapshots({}, KEYS, specs_at(2, #KEYS), now)
`;

/** KEYS: reservations, leases, instances. ARGV: now, lease ms, instance, stale ms, open ids….
 * Sweeps, renews this instance's leases, registers it; replies with the live instance count. */
export const HEARTBEAT = `${COMMON}
local res, leases, instances = KEYS[1], KEYS[2], KEYS[3]
local now, lease, me, stale = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
sweep(res, leases, now, 1000)
for i = 5, #ARGV do redis.call('ZADD', leases, 'XX', now + lease, ARGV[i]) end
redis.call('ZADD', instances, now, me)
redis.call('ZREMRANGEBYSCORE', instances, '-inf', now - stale)
touch(instances, stale + SLACK)
return redis.call('ZCARD', instances)
`;

/** KEYS: counters…. ARGV: now, then per counter: limit fields (5), pair count, (bucket, amount)….
 * Adds usage spent elsewhere (locally during an outage) into its buckets, if they still count. */
export const WRITE_BACK = `${COMMON}
local now, o = tonumber(ARGV[1]), 2
for i = 1, #KEYS do
  local s = specs_at(o, 1)[1]
  local count = tonumber(ARGV[o + 5])
  for j = 1, count do
    local start, amount = tonumber(ARGV[o + 4 + 2 * j]), tonumber(ARGV[o + 5 + 2 * j])
    -- window.ts lastUseBound: this usage was spent by now, inside its bucket.
    local last = math.min(start + s.bm - 1, now)
    if expires({ start, amount, last }, s) > now then put(KEYS[i], s, start, last, amount, now) end
  end
  o = o + 6 + 2 * count
end
return #KEYS
`;
