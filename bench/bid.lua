-- wrk: POST a valid bid with a fresh Idempotency-Key each time (benchmark 4's baseline)
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"auctionId":"auction-%d","userId":"user-%d","amount":%d}', n % 20, n % 1000, n)
  return wrk.format("POST", "/api/bids", {["Content-Type"] = "application/json",
                                          ["Idempotency-Key"] = string.format("wrk-%d-%d", os.time(), n)}, body)
end
