-- wrk script for the reservation write path: hold one unit, then release it.
--
--   wrk -t2 -c64 -d10s --latency -s hold_release.lua http://127.0.0.1:PORT -- SKUS [TTL]
--
-- A hold is `POST /v1/reservations` with
--   {"lines":[{"sku":"SKU-%06d","location":"DC1","qty":1}],"ttlSeconds":TTL}
-- for a pseudo-random sku in 1..SKUS (TTL defaults to 60). On a 201, response() takes the
-- reservation id ("id":"r_...") from the body and queues it; the thread's next request is then
-- `POST /v1/reservations/{id}/release` with an empty body (Content-Length: 0) instead of a new hold.
--
-- Why a per-thread queue rather than strict per-connection alternation: wrk does not tell a
-- script which connection a response() or request() call belongs to, and other connections'
-- callbacks can run between a connection's response and its next request. The queue still gives
-- hold -> release pairs: every successful hold is released exactly once, by a request sent after
-- its 201 arrived, and in steady state requests alternate hold, release, hold, release.
--
-- Each request carries `X-Request-Id: hold-T-N` or `rel-T-N`; the API echoes it, which is how
-- response() knows whether it is looking at a hold or a release. If a server does not echo it,
-- the kind is inferred from the status and body (a 201 is a hold, a body saying "released" is a
-- release; anything else is counted as unclassified).
--
-- done() prints, for run.sh to parse:
--   hold_release: holds sent=.. ok=.. failed=.. releases sent=.. ok=.. failed=.. unclassified=.. ids_unparsed=..
--   hold_release: pairs/s=N.N
--   hold_release: first failure: <kind> HTTP <status> <body, first 200 bytes>   (only if any)

local thread_count = 0
local threads = {}

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
  table.insert(threads, thread)
end

-- Per-thread counters. They are globals on purpose: done() reads them with thread:get().
holds_sent, holds_ok, holds_failed = 0, 0, 0
releases_sent, releases_ok, releases_failed = 0, 0, 0
unclassified, ids_unparsed = 0, 0
first_failure = ""

local skus, ttl = 1, 60
local seq = 0
local queue, qhead, qtail = {}, 1, 0   -- FIFO of reservation ids still to release

function init(args)
  skus = math.floor(tonumber(args[1]) or 1)
  if skus < 1 then skus = 1 end
  ttl = math.floor(tonumber(args[2]) or 60)
  math.randomseed(104729 * (thread_index or 1) + 31)
end

function request()
  seq = seq + 1
  if qhead <= qtail then
    local id = queue[qhead]
    queue[qhead] = nil
    qhead = qhead + 1
    releases_sent = releases_sent + 1
    -- A fresh headers table every time: wrk.format() writes Content-Length into the table it is
    -- given, so a shared table would carry the hold's length over to the release.
    return wrk.format("POST", "/v1/reservations/" .. id .. "/release",
      { ["X-Request-Id"] = "rel-" .. thread_index .. "-" .. seq }, "")
  end
  holds_sent = holds_sent + 1
  local body = string.format(
    '{"lines":[{"sku":"SKU-%06d","location":"DC1","qty":1}],"ttlSeconds":%d}',
    math.random(skus), ttl)
  return wrk.format("POST", "/v1/reservations",
    { ["Content-Type"] = "application/json",
      ["X-Request-Id"] = "hold-" .. thread_index .. "-" .. seq }, body)
end

local function request_id(headers)
  local v = headers["X-Request-Id"] or headers["x-request-id"]
  if v then return v end
  for name, value in pairs(headers) do
    if string.lower(name) == "x-request-id" then return value end
  end
  return nil
end

local function note_failure(kind, status, body)
  if first_failure == "" then
    local snippet = string.gsub(string.sub(body or "", 1, 200), "[\r\n]", " ")
    first_failure = kind .. " HTTP " .. status .. " " .. snippet
  end
end

function response(status, headers, body)
  local kind = nil
  local rid = request_id(headers)
  if rid then
    if string.sub(rid, 1, 5) == "hold-" then kind = "hold"
    elseif string.sub(rid, 1, 4) == "rel-" then kind = "release" end
  end
  if kind == nil then
    if status == 201 then kind = "hold"
    elseif body and string.find(body, '"released"', 1, true) then kind = "release" end
  end

  if kind == "hold" then
    if status == 201 then
      holds_ok = holds_ok + 1
      local id = body and string.match(body, '"id"%s*:%s*"(r_[^"]+)"')
      if id then
        qtail = qtail + 1
        queue[qtail] = id
      else
        ids_unparsed = ids_unparsed + 1
        note_failure("hold-id-unparsed", status, body)
      end
    else
      holds_failed = holds_failed + 1
      note_failure("hold", status, body)
    end
  elseif kind == "release" then
    if status == 200 then
      releases_ok = releases_ok + 1
    else
      releases_failed = releases_failed + 1
      note_failure("release", status, body)
    end
  else
    unclassified = unclassified + 1
    note_failure("unclassified", status, body)
  end
end

function done(summary, latency, requests)
  local t = { holds_sent = 0, holds_ok = 0, holds_failed = 0, releases_sent = 0,
              releases_ok = 0, releases_failed = 0, unclassified = 0, ids_unparsed = 0 }
  local failure = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do
      t[name] = t[name] + (tonumber(thread:get(name)) or 0)
    end
    local f = thread:get("first_failure")
    if failure == "" and f and f ~= "" then failure = f end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "hold_release: holds sent=%d ok=%d failed=%d releases sent=%d ok=%d failed=%d unclassified=%d ids_unparsed=%d\n",
    t.holds_sent, t.holds_ok, t.holds_failed, t.releases_sent, t.releases_ok, t.releases_failed,
    t.unclassified, t.ids_unparsed))
  io.write(string.format("hold_release: pairs/s=%.1f\n", seconds > 0 and t.releases_ok / seconds or 0))
  if failure ~= "" then
    io.write("hold_release: first failure: " .. failure .. "\n")
  end
end
