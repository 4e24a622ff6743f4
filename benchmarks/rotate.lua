-- wrk script of the benchmark (wrkload.py runs it): requests from a file, one thread per
-- server process, and the summary as one JSON line.
--
-- BENCH_REQUESTS names a file of requests, one per line: path, Host and Cookie separated
-- by tabs. Each thread sends them in order, again and again, starting at its own share of
-- the list, so the threads never ask for the same request at the same time. With a single
-- line this is the repeat mode.
-- BENCH_PORTS lists the server's ports (one process each): thread n connects to the n-th,
-- so the connections are spread evenly over the server's processes.

local ports = {}
for port in string.gmatch(os.getenv("BENCH_PORTS") or "", "%d+") do
   ports[#ports + 1] = port
end
local threads = 0

function setup(thread)
   thread.addr = wrk.lookup("127.0.0.1", ports[(threads % #ports) + 1])[1]
   thread:set("thread_number", threads)
   thread:set("thread_count", #ports)
   threads = threads + 1
end

local requests = {}
local next_request = 0

function init(args)
   for line in io.lines(os.getenv("BENCH_REQUESTS")) do
      local path, host, cookie = line:match("^([^\t]*)\t([^\t]*)\t?([^\t]*)$")
      local headers = { Host = host }
      if cookie ~= "" then
         headers["Cookie"] = cookie
      end
      requests[#requests + 1] = wrk.format("GET", path, headers)
   end
   next_request = math.floor(#requests * thread_number / thread_count)
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, '
         .. '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, '
         .. '"p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
      errors.write, errors.status, errors.timeout, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
