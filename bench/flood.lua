-- wrk script of bench/chaos's overload: GETs of movie lists and details
-- (random ids up to $BENCH_MAX_ID), tallying the answers that shed load
-- (503 and 429) and how many of them carry Retry-After.  done() prints
-- one line: "flood shed=N retry_after=N other=N" (other: non-2xx that
-- are neither).
local max = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local threads = {}
local counter = 0
local lists = {
	"/api/movies/?page=%d",
	"/api/movies/?genre=drama&ordering=-rating&page=%d",
	"/api/movies/?year=1990-1999&page=%d",
	"/api/genres/?page_size=8&page=%d",
}

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
	table.insert(threads, thread)
end

function init(args)
	math.randomseed(os.time() * 1000 + seed)
	shed, retry_after, other = 0, 0, 0
	statuses = {}
end

function request()
	if math.random() < 0.5 then
		return wrk.format("GET", string.format("/api/movies/%d/", math.random(1, max)))
	end
	local p = lists[math.random(1, #lists)]
	return wrk.format("GET", string.format(p, math.random(1, 3)))
end

function response(status, headers, body)
	if status == 503 or status == 429 then
		shed = shed + 1
		if headers["Retry-After"] or headers["retry-after"] then
			retry_after = retry_after + 1
		end
	elseif status >= 300 then
		other = other + 1
	end
	if status >= 300 then
		statuses[status] = (statuses[status] or 0) + 1
	end
end

function done(summary, latency, requests)
	local s, r, o = 0, 0, 0
	for _, t in ipairs(threads) do
		s = s + t:get("shed")
		r = r + t:get("retry_after")
		o = o + t:get("other")
	end
	local by = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("statuses")) do
			by[k] = (by[k] or 0) + v
		end
	end
	local list = {}
	for k, v in pairs(by) do
		table.insert(list, string.format("%dx%d", v, k))
	end
	table.sort(list)
	io.write(string.format("flood shed=%d retry_after=%d other=%d statuses=%s\n", s, r, o,
			       table.concat(list, ",")))
end
