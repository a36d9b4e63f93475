-- The wrk script of bench/gateway_bench.sh: every connection asks a mix of small queries
-- (POST /api/query, JSON, the query cache bypassed) and, one request in UPLOAD_EVERY, uploads a
-- small CSV (POST /api/upload?name=NAME, text/csv, NAME cycling over a few datasets so each gets
-- new versions). Arguments after wrk's `--`: UPLOAD_EVERY CSV_FILE POINT_ID NAMES (comma-separated).
-- wrk times requests but cannot say which kind a latency belongs to, so this script counts what
-- it can per kind: requests sent, 2xx answers (a query answer and an upload receipt are told apart
-- by their bodies), the server's own executionTime of those answers, and every non-2xx answer by
-- status and error text (admission's 503 "busy" is a query's). done() prints it all after wrk's
-- own report as "load<TAB>key<TAB>value" lines.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

-- One thread's tallies, read by done() through thread:get. Flat: wrk 4.1 crashes copying a table
-- that holds more than one table.
sent_query, sent_upload = 0, 0
ok_query, ok_upload = 0, 0
exec_ms_query, exec_ms_upload = {}, {}  -- the executionTime of each 2xx answer
statuses = {}  -- "503" -> count
errors = {}    -- "503 <error text>" -> count

local requests = {}  -- ready-made requests: the queries, then one upload per name
local query_count
local upload_count
local upload_every
local counter = 0

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
  -- The threads start at different places of the cycle rather than in lockstep.
  counter = 7 * (thread_index - 1)
end

function request()
  counter = counter + 1
  if counter % upload_every == 0 then
    sent_upload = sent_upload + 1
    return requests[query_count + 1 + math.floor(counter / upload_every) % upload_count]
  end
  sent_query = sent_query + 1
  return requests[1 + counter % query_count]
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    local ms = tonumber(string.match(body, '"executionTime":%s*([%d%.eE+-]+)'))
    if string.find(body, '"datasetId"', 1, true) then
      ok_upload = ok_upload + 1
      if ms then table.insert(exec_ms_upload, ms) end
    else
      ok_query = ok_query + 1
      if ms then table.insert(exec_ms_query, ms) end
    end
    return
  end
  local code = tostring(status)
  statuses[code] = (statuses[code] or 0) + 1
  local text = string.match(body, '"error":%s*"(.-)"') or body
  local key = code .. " " .. string.sub(text, 1, 120)
  errors[key] = (errors[key] or 0) + 1
end

-- Nearest-rank percentile of a sorted list (nil when empty).
local function percentile(sorted, p)
  if #sorted == 0 then return nil end
  local rank = math.max(1, math.ceil(p / 100 * #sorted))
  return sorted[rank]
end

function done(summary, latency, _)
  local total = { sent = { query = 0, upload = 0 }, ok = { query = 0, upload = 0 },
                  exec_ms = { query = {}, upload = {} }, statuses = {}, errors = {} }
  for _, thread in ipairs(threads) do
    for _, kind in ipairs({ "query", "upload" }) do
      total.sent[kind] = total.sent[kind] + thread:get("sent_" .. kind)
      total.ok[kind] = total.ok[kind] + thread:get("ok_" .. kind)
      for _, ms in ipairs(thread:get("exec_ms_" .. kind)) do
        table.insert(total.exec_ms[kind], ms)
      end
    end
    for code, n in pairs(thread:get("statuses")) do
      total.statuses[code] = (total.statuses[code] or 0) + n
    end
    for text, n in pairs(thread:get("errors")) do
      total.errors[text] = (total.errors[text] or 0) + n
    end
  end

  local function put(key, value) io.write("load\t", key, "\t", tostring(value), "\n") end
  local seconds = summary.duration / 1e6
  put("requests", summary.requests)
  put("seconds", string.format("%.2f", seconds))
  put("rps", string.format("%.1f", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    put("latency_p" .. p .. "_ms", string.format("%.2f", latency:percentile(p) / 1000))
  end
  put("latency_max_ms", string.format("%.2f", latency.max / 1000))
  put("socket_errors", summary.errors.connect + summary.errors.read + summary.errors.write +
                       summary.errors.timeout)
  for _, field in ipairs({ "connect", "read", "write", "timeout" }) do
    put("socket_" .. field, summary.errors[field])
  end
  local non2xx = 0
  for code, n in pairs(total.statuses) do
    non2xx = non2xx + n
    put("status_" .. code, n)
  end
  put("non2xx", non2xx)
  put("busy503", total.statuses["503"] or 0)
  for _, kind in ipairs({ "query", "upload" }) do
    put(kind .. "_sent", total.sent[kind])
    put(kind .. "_2xx", total.ok[kind])
    local sorted = total.exec_ms[kind]
    table.sort(sorted)
    for _, p in ipairs({ 50, 99 }) do
      local v = percentile(sorted, p)
      put(kind .. "_exec_p" .. p .. "_ms", v and string.format("%.1f", v) or "-")
    end
  end
  for text, n in pairs(total.errors) do put("error", n .. " x " .. text) end
end
