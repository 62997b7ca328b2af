-- wrk script: every connection sends the TREC topics in turn to /api/search, or with `suggest`
-- after the file, each topic cut short (the last word partly typed) to /api/suggest.
-- wrk -t2 -c32 -d30s --latency -s benches/serve-load.lua http://127.0.0.1:7780 -- ../shared/corpus/queries/trec-podcasts-2020-2021-topics.jsonl [suggest]
local paths = {}
local counter = 0

local function encode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local file = assert(io.open(args[1] or "../shared/corpus/queries/trec-podcasts-2020-2021-topics.jsonl"))
  for line in file:lines() do
    local q = line:match('"query"%s*:%s*"(.-)"')
    if q then
      if args[2] == "suggest" then
        paths[#paths + 1] = "/api/suggest?q=" .. encode(q:sub(1, math.max(3, #q - 2)))
      else
        paths[#paths + 1] = "/api/search?q=" .. encode(q)
      end
    end
  end
  file:close()
  -- Each request formatted once here, not at every send: the load generator shares the
  -- server's two cores, and its own work should not count against the server.
  for i, path in ipairs(paths) do
    paths[i] = wrk.format("GET", path)
  end
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return paths[counter]
end
