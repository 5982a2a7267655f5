-- wrk script: GET $BENCH_PATH with "{id}" replaced by a random id from 1
-- to $BENCH_MAX_ID, so that (almost) every request misses the cache.
-- $BENCH_PATH may hold several paths separated by "|": each request takes
-- one of them at random ("{page}" in it: a random page from 1 to
-- $BENCH_MAX_PAGE, 5 unless set).
-- With $BENCH_RANDOM_BODY, POST that body instead, "{id}" replaced the
-- same way and "{rating}" by a random half star, as $BENCH_TOKEN's user.
local templates = {}
for t in string.gmatch(os.getenv("BENCH_PATH"), "[^|]+") do
	templates[#templates + 1] = t
end
local body = os.getenv("BENCH_RANDOM_BODY")
local token = os.getenv("BENCH_TOKEN")
local max = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local max_page = tonumber(os.getenv("BENCH_MAX_PAGE") or "5")
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
	local template = templates[math.random(1, #templates)]
	if body and body ~= "" then
		local b = body:gsub("{id}", id):gsub("{rating}", string.format("%.1f", math.random(1, 10) / 2))
		return wrk.format("POST", template, {
			["Content-Type"] = "application/json",
			["Authorization"] = "Bearer " .. token,
		}, b)
	end
	return wrk.format("GET", (template:gsub("{id}", id):gsub("{page}", tostring(math.random(1, max_page)))))
end
