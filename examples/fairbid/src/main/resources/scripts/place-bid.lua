-- Checks one bid against the auction's hash and, if it stands, raises the price. One script, so no
-- other bid can slip in between the check and the write.
-- KEYS[1] auction:{id}
-- KEYS[2] bid-idem:<Idempotency-Key>, only when the request carries one
-- ARGV    bidderId, bidType (ONE_TOUCH | DIRECT), amount (DIRECT only, else ""), now (epoch ms)
-- Returns the new price as a string, or an error code: AUCTION_NOT_FOUND, AUCTION_ENDED,
-- SELF_BID_NOT_ALLOWED, BID_TOO_LOW. Nothing is written unless the bid stands.
-- With KEYS[2]: if it exists the bid was placed before under this key, and its value is returned
-- unchanged ("<price>:pending" or "<price>:queued", see BidService) with nothing written, so a retry
-- of a bid whose answer was lost cannot raise the price twice. A bid that stands sets it to
-- "<price>:pending" (24 h) in the same script; a refusal stores nothing, so it can be retried.
local idem = KEYS[2]
if idem then
  local seen = redis.call('GET', idem)
  if seen then
    return seen
  end
end
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then
  return 'AUCTION_NOT_FOUND'
end
local f = redis.call('HMGET', key, 'status', 'endTime', 'sellerId', 'currentPrice', 'bidIncrement')
local bidder, bidType, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
if f[1] ~= 'ONGOING' or now >= tonumber(f[2]) then
  return 'AUCTION_ENDED'
end
if f[3] == bidder then
  return 'SELF_BID_NOT_ALLOWED'
end
local minimum = tonumber(f[4]) + tonumber(f[5])
local amount = minimum
if bidType == 'DIRECT' then
  amount = tonumber(ARGV[3])
  if amount == nil or amount < minimum then
    return 'BID_TOO_LOW'
  end
end
-- integers as text: Lua numbers are doubles, %d keeps them out of exponent notation
local price = string.format('%d', amount)
redis.call('HSET', key, 'currentPrice', price, 'topBidderId', bidder, 'topBidAmount', price)
redis.call('HINCRBY', key, 'totalBidCount', 1)
if idem then
  redis.call('SET', idem, price .. ':pending', 'EX', 86400)
end
return price
