-- wrk script: GET $BENCH_PATH with "{id}" replaced by a random id from 1
-- to $BENCH_MAX_ID, so that (almost) every request misses the cache.
local template = os.getenv("BENCH_PATH")
local max = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end

function init(args)
	math.randomseed(os.time() * 1000 + seed)
end

function request()
	return wrk.format("GET", (template:gsub("{id}", tostring(math.random(1, max)))))
end
