-- wrk script: GET $BENCH_PATH with "{id}" replaced by a random id from 1
-- to $BENCH_MAX_ID, so that (almost) every request misses the cache.
-- $BENCH_PATH may hold several paths separated by "|": each request takes
-- one of them at random ("{page}" in it: a random page from 1 to
-- $BENCH_MAX_PAGE, 5 unless set).
-- With $BENCH_RANDOM_BODY, POST that body instead, "{id}" replaced the
-- same way and "{rating}" by a random half star, as $BENCH_TOKEN's user.
-- With $BENCH_WALK (a file of ids, one a line), the ids are not random but
-- those in turn, each of the $BENCH_THREADS threads taking every
-- $BENCH_THREADS-th, around again at the end: a walk that asks for each
-- once (bench/run's warm-up of the kept movie documents).
local templates = {}
for t in string.gmatch(os.getenv("BENCH_PATH"), "[^|]+") do
	templates[#templates + 1] = t
end
local body = os.getenv("BENCH_RANDOM_BODY")
local token = os.getenv("BENCH_TOKEN")
local max = tonumber(os.getenv("BENCH_MAX_ID") or "1000")
local max_page = tonumber(os.getenv("BENCH_MAX_PAGE") or "5")
local walk_file = os.getenv("BENCH_WALK")
local step = tonumber(os.getenv("BENCH_THREADS") or "1")
local walk
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("seed", counter)
end

function init(args)
	math.randomseed(os.time() * 1000 + seed)
	if walk_file and walk_file ~= "" then
		walk = {}
		for line in io.lines(walk_file) do
			walk[#walk + 1] = line
		end
		at = seed
	end
end

local function next_walked()
	local id = walk[(at - 1) % #walk + 1]
	at = at + step
	return id
end

function request()
	local id = walk and #walk > 0 and next_walked() or tostring(math.random(1, max))
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
