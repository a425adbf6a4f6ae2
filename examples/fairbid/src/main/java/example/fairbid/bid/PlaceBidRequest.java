package example.fairbid.bid;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

/** {"bidType": "ONE_TOUCH"} or {"bidType": "DIRECT", "amount": N}. */
public record PlaceBidRequest(@NotNull BidType bidType, @Positive Long amount) {
}
