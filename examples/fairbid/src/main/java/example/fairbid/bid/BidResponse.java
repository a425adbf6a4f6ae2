package example.fairbid.bid;

import java.time.LocalDateTime;

/** id is always null: the row (and its id) only exists once a consumer has copied the bid to MySQL. */
public record BidResponse(Long id, long auctionId, long bidderId, long amount, BidType bidType,
                          LocalDateTime createdAt) {
}
