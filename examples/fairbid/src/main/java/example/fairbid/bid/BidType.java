package example.fairbid.bid;

/** ONE_TOUCH: the server adds one increment to the current price. DIRECT: the bidder names the amount. */
public enum BidType {
    ONE_TOUCH, DIRECT
}
