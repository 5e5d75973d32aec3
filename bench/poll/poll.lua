-- wrk script: every request is a worker's idle poll (answered at once), round-robin over the
-- credentials in $CREDS (one per line).
local creds = {}
local n = 0
init = function(args)
  for line in io.lines(os.getenv("CREDS")) do
    n = n + 1
    creds[n] = line
  end
end
local i = 0
request = function()
  i = (i % n) + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. creds[i]
  return wrk.format("POST", "/api/worker/v1/poll", headers, '{"running":[],"capacity":1,"waitSeconds":0}')
end
