-- wrk script: GET $BENCH_PATH with "{id}" replaced by a random id from 1
-- to $BENCH_MAX_ID, so that (almost) every request misses the cache.
-- With $BENCH_RANDOM_BODY, POST that body instead, "{id}" replaced the
-- same way and "{rating}" by a random half star, as $BENCH_TOKEN's user.
local template = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_RANDOM_BODY")
local token = os.getenv("BENCH_TOKEN")
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
	local id = tostring(math.random(1, max))
	if body and body ~= "" then
		local b = body:gsub("{id}", id):gsub("{rating}", string.format("%.1f", math.random(1, 10) / 2))
		return wrk.format("POST", template, {
			["Content-Type"] = "application/json",
			["Authorization"] = "Bearer " .. token,
		}, b)
	end
	return wrk.format("GET", (template:gsub("{id}", id)))
end
