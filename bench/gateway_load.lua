-- The wrk script of bench/gateway_bench.sh: every connection asks a mix of small queries
-- (POST /api/query, JSON, the query cache bypassed) and, one request in UPLOAD_EVERY, uploads a
-- small CSV (POST /api/upload?name=NAME, text/csv, NAME cycling over a few datasets so each gets
-- new versions). Arguments after wrk's `--`: UPLOAD_EVERY CSV_FILE POINT_ID NAMES (comma-separated).
--
-- REQUIRES: one connection per wrk thread (-t N -c N). wrk tells a script nothing of which
-- connection answered, so only then does a response belong to the thread's last request(), and
-- this script can time each request by kind (its own clock, through LuaJIT's ffi) and count its
-- answers by kind and status. Its percentiles are of the requests as sent; wrk's own (its report
-- above these lines) add the requests a steadily paced client would have sent during a stall.
-- done() prints everything after wrk's report as "load<TAB>key<TAB>value" lines.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } lake_timespec;
  int clock_gettime(int clock_id, lake_timespec* tp);
]]
local kClockMonotonic = 1
local timespec = ffi.new("lake_timespec")
local function now_ms()
  ffi.C.clock_gettime(kClockMonotonic, timespec)
  return tonumber(timespec.tv_sec) * 1e3 + tonumber(timespec.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

-- One thread's tallies, read by done() through thread:get. Flat: wrk 4.1 crashes copying a table
-- that holds more than one table.
latency_query, latency_upload = {}, {}  -- ms from request() to response(), every answer
exec_ms_query, exec_ms_upload = {}, {}  -- the server's executionTime of each 2xx answer
ok_query, ok_upload = 0, 0
statuses = {}  -- "query 503" -> count, for every non-2xx answer
errors = {}    -- "query 503 <error text>" -> count

local requests = {}  -- ready-made requests: the queries, then one upload per name
local query_count
local upload_count
local upload_every
local counter = 0
local pending_kind  -- the kind of the request in flight on this thread's connection
local sent_at

local function query_request(sql)
  return wrk.format("POST", "/api/query", { ["Content-Type"] = "application/json" },
                    '{"sql": "' .. sql .. '", "cache": false}')
end

function init(args)
  upload_every = tonumber(args[1])
  local file = assert(io.open(args[2], "rb"))
  local csv = file:read("*a")
  file:close()
  local point_id = args[3]
  local queries = {
    "SELECT * FROM events WHERE event_id = " .. point_id,
    "SELECT department, COUNT(*) AS n, MAX(salary) AS max_salary FROM employees " ..
      "GROUP BY department ORDER BY department",
    "SELECT COUNT(*) AS n FROM events WHERE country = 'DE' AND is_error = true",
    "SELECT device, COUNT(*) AS n FROM events WHERE event_type = 'purchase' " ..
      "GROUP BY device ORDER BY device",
  }
  for _, sql in ipairs(queries) do table.insert(requests, query_request(sql)) end
  query_count = #requests
  for name in string.gmatch(args[4], "[^,]+") do
    table.insert(requests, wrk.format("POST", "/api/upload?name=" .. name,
                                      { ["Content-Type"] = "text/csv" }, csv))
  end
  upload_count = #requests - query_count
  -- The connections start at different places of the cycle rather than in lockstep.
  counter = 7 * (thread_index - 1)
end

function request()
  counter = counter + 1
  sent_at = now_ms()
  if counter % upload_every == 0 then
    pending_kind = "upload"
    return requests[query_count + 1 + math.floor(counter / upload_every) % upload_count]
  end
  pending_kind = "query"
  return requests[1 + counter % query_count]
end

function response(status, headers, body)
  local kind = pending_kind
  table.insert(kind == "upload" and latency_upload or latency_query, now_ms() - sent_at)
  if status >= 200 and status < 300 then
    local ms = tonumber(string.match(body, '"executionTime":%s*([%d%.eE+-]+)'))
    if kind == "upload" then
      ok_upload = ok_upload + 1
      if ms then table.insert(exec_ms_upload, ms) end
    else
      ok_query = ok_query + 1
      if ms then table.insert(exec_ms_query, ms) end
    end
    return
  end
  local key = kind .. " " .. status
  statuses[key] = (statuses[key] or 0) + 1
  local text = string.match(body, '"error":%s*"(.-)"') or body
  key = key .. " " .. string.sub(text, 1, 120)
  errors[key] = (errors[key] or 0) + 1
end

-- Nearest-rank percentile of a sorted list, formatted ("-" when empty).
local function percentile(sorted, p)
  if #sorted == 0 then return "-" end
  return string.format("%.1f", sorted[math.max(1, math.ceil(p / 100 * #sorted))])
end

local function append_all(into, list)
  for _, v in ipairs(list) do table.insert(into, v) end
end

function done(summary, latency, _)
  local function put(key, value) io.write("load\t", key, "\t", tostring(value), "\n") end
  local lists = { latency_all = {}, latency_query = {}, latency_upload = {},
                  exec_ms_query = {}, exec_ms_upload = {} }
  local ok = { query = 0, upload = 0 }
  local statuses_all, errors_all = {}, {}
  for _, thread in ipairs(threads) do
    for _, name in ipairs({ "latency_query", "latency_upload", "exec_ms_query", "exec_ms_upload" }) do
      local list = thread:get(name)
      append_all(lists[name], list)
      if string.find(name, "latency_", 1, true) then append_all(lists.latency_all, list) end
    end
    ok.query = ok.query + thread:get("ok_query")
    ok.upload = ok.upload + thread:get("ok_upload")
    for key, n in pairs(thread:get("statuses")) do statuses_all[key] = (statuses_all[key] or 0) + n end
    for key, n in pairs(thread:get("errors")) do errors_all[key] = (errors_all[key] or 0) + n end
  end

  local seconds = summary.duration / 1e6
  put("threads", #threads)
  put("requests", summary.requests)
  put("seconds", string.format("%.2f", seconds))
  put("rps", string.format("%.1f", summary.requests / seconds))
  for name, list in pairs(lists) do
    table.sort(list)
    for _, p in ipairs({ 50, 90, 99 }) do put(name .. "_p" .. p, percentile(list, p)) end
    put(name .. "_max", percentile(list, 100))
  end
  for _, p in ipairs({ 50, 99 }) do
    put("wrk_p" .. p, string.format("%.1f", latency:percentile(p) / 1000))
  end
  for _, kind in ipairs({ "query", "upload" }) do
    put(kind .. "_answers", #lists["latency_" .. kind])
    put(kind .. "_2xx", ok[kind])
  end
  local non2xx, busy = 0, 0
  for key, n in pairs(statuses_all) do
    non2xx = non2xx + n
    if string.find(key, " 503", 1, true) then busy = busy + n end
    put("status " .. key, n)
  end
  put("non2xx", non2xx)
  put("busy503", busy)
  local e = summary.errors
  put("socket_errors", e.connect + e.read + e.write + e.timeout)
  put("socket_detail", string.format("connect %d, read %d, write %d, timeout %d",
                                     e.connect, e.read, e.write, e.timeout))
  for key, n in pairs(errors_all) do put("error", n .. " x " .. key) end
end
