-- wrk script: POST $BENCH_PATH with the signed events of the file
-- $BENCH_EVENTS, one a line ("Stripe-Signature<TAB>body"), made by
-- bench/run before wrk starts: wrk's Lua has no HMAC.  Each thread sends
-- its share of the lines (line k goes to thread k % $BENCH_THREADS), each
-- once while they last; each connection waits between its requests so
-- that the $BENCH_CONNECTIONS together send about $BENCH_RATE a second.
local path = os.getenv("BENCH_PATH")
local file = os.getenv("BENCH_EVENTS")
local rate = tonumber(os.getenv("BENCH_RATE"))
local connections = tonumber(os.getenv("BENCH_CONNECTIONS"))
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0

function setup(thread)
	thread:set("index", counter)
	counter = counter + 1
end

function init(args)
	events = {}
	local k = 0
	for line in io.lines(file) do
		if k % threads == index then
			local tab = line:find("\t", 1, true)
			events[#events + 1] = wrk.format("POST", path, {
				["Content-Type"] = "application/json; charset=utf-8",
				["Stripe-Signature"] = line:sub(1, tab - 1),
			}, line:sub(tab + 1))
		end
		k = k + 1
	end
	nxt = 0
end

function delay()
	return connections * 1000 / rate
end

function request()
	-- past the last, the first again: a duplicate, answered as one (a no-op)
	nxt = nxt % #events + 1
	return events[nxt]
end
