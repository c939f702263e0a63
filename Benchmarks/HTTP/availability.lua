-- wrk script for the availability hot path.
--
--   wrk -t2 -c64 -d10s --latency -s availability.lua http://127.0.0.1:PORT -- SKUS
--
-- Every request is `GET /v1/availability?sku=SKU-%06d` with a pseudo-random sku in 1..SKUS.
-- run.sh uses this same script, with the same arguments, against nginx (which answers a fixed
-- 60-byte body whatever the query) and against atpd, so the client does identical work for both.
--
-- Each wrk thread seeds its generator from its own index, so a given thread draws the same sku
-- sequence on every run and against both servers. For catalogues up to 100,000 skus the request
-- strings are built once in init(), so the per-request client cost is one table lookup.
-- No response() hook is defined: wrk then skips body inspection, and its own
-- "Non-2xx or 3xx responses" line (parsed by run.sh) reports any failures.

local thread_count = 0

-- setup() runs in wrk's main Lua state once per thread, before the thread starts.
function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_index", thread_count)
end

local skus = 1
local prebuilt = nil
local PREBUILD_LIMIT = 100000

local function build(i)
  return wrk.format("GET", string.format("/v1/availability?sku=SKU-%06d", i))
end

-- init() runs in each thread's own Lua state; args are what follows `--` on wrk's command line.
function init(args)
  skus = math.floor(tonumber(args[1]) or 1)
  if skus < 1 then skus = 1 end
  math.randomseed(7919 * (thread_index or 1) + 17)
  if skus <= PREBUILD_LIMIT then
    prebuilt = {}
    for i = 1, skus do
      prebuilt[i] = build(i)
    end
  end
end

function request()
  local i = math.random(skus)
  if prebuilt then
    return prebuilt[i]
  end
  return build(i)
end
