-- wrk script for the hold path: holds only, each left to expire (no release).
--
--   wrk -t1 -c64 -d6s --latency -s hold.lua http://127.0.0.1:PORT -- SKUS TTL IDEM TAG
--
-- Every request is `POST /v1/reservations` with
--   {"lines":[{"sku":"SKU-%06d","location":"DC1","qty":1}],"ttlSeconds":TTL}
-- for a pseudo-random sku in 1..SKUS (TTL defaults to 2). With IDEM = 1 every hold also carries
-- `Idempotency-Key: hp-TAG-T-N` (T the wrk thread, N a per-thread counter), unique per hold as
-- long as TAG is unique per wrk invocation (run.sh passes the run's name), so no request is a
-- replay. With IDEM = 0 (the default) no key is sent.
--
-- Why holds only: this is what the Lua yardstick does (check, HINCRBY reserved, SET res:<id> PX
-- ttl; the hold then expires). atpd's sweep returns expired units (and, with a durable store,
-- journals the expiry); the yardstick's record just vanishes. So per hold atpd does at least the
-- work the yardstick does. Stock: run.sh seeds 1,000,000 units a cell, and expiries return them.
--
-- done() prints, for run.sh to parse:
--   holdpath: holds sent=.. ok=.. failed=.. replayed=..
--   holdpath: holds/s=N.N
--   holdpath: first failure: HTTP <status> <body, first 200 bytes>   (only if any)

local thread_count = 0
local threads = {}

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
  table.insert(threads, thread)
end

-- Per-thread counters: globals on purpose, done() reads them with thread:get().
holds_sent, holds_ok, holds_failed, holds_replayed = 0, 0, 0, 0
first_failure = ""

local skus, ttl, idem, tag = 1, 2, false, "run"
local seq = 0

function init(args)
  skus = math.floor(tonumber(args[1]) or 1)
  if skus < 1 then skus = 1 end
  ttl = math.floor(tonumber(args[2]) or 2)
  idem = (args[3] == "1")
  tag = args[4] or "run"
  math.randomseed(104729 * (thread_index or 1) + 37)
end

function request()
  seq = seq + 1
  holds_sent = holds_sent + 1
  local body = string.format(
    '{"lines":[{"sku":"SKU-%06d","location":"DC1","qty":1}],"ttlSeconds":%d}',
    math.random(skus), ttl)
  -- A fresh headers table every time: wrk.format() writes Content-Length into it.
  local headers = { ["Content-Type"] = "application/json" }
  if idem then
    headers["Idempotency-Key"] = "hp-" .. tag .. "-" .. thread_index .. "-" .. seq
  end
  return wrk.format("POST", "/v1/reservations", headers, body)
end

function response(status, headers, body)
  if status == 201 then
    holds_ok = holds_ok + 1
    if headers["Idempotent-Replayed"] or headers["idempotent-replayed"] then
      holds_replayed = holds_replayed + 1
    end
  else
    holds_failed = holds_failed + 1
    if first_failure == "" then
      first_failure = "HTTP " .. status .. " " .. string.gsub(string.sub(body or "", 1, 200), "[\r\n]", " ")
    end
  end
end

function done(summary, latency, requests)
  local t = { holds_sent = 0, holds_ok = 0, holds_failed = 0, holds_replayed = 0 }
  local failure = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do
      t[name] = t[name] + (tonumber(thread:get(name)) or 0)
    end
    local f = thread:get("first_failure")
    if failure == "" and f and f ~= "" then failure = f end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("holdpath: holds sent=%d ok=%d failed=%d replayed=%d\n",
    t.holds_sent, t.holds_ok, t.holds_failed, t.holds_replayed))
  io.write(string.format("holdpath: holds/s=%.1f\n", seconds > 0 and t.holds_ok / seconds or 0))
  if failure ~= "" then
    io.write("holdpath: first failure: " .. failure .. "\n")
  end
end
