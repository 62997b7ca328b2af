-- wrk script: GET /api/search for each TREC topic in turn, on every connection.
-- wrk -t2 -c32 -d30s -s benches/serve-load.lua http://127.0.0.1:7780 -- ../shared/corpus/queries/trec-podcasts-2020-2021-topics.jsonl
local paths = {}
local counter = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local file = assert(io.open(args[1] or "../shared/corpus/queries/trec-podcasts-2020-2021-topics.jsonl"))
  for line in file:lines() do
    local q = line:match('"query"%s*:%s*"(.-)"')
    if q then paths[#paths + 1] = "/api/search?q=" .. encode(q) end
  end
  file:close()
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
