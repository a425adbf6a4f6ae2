package example.fairbid.auction;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

public record CreateAuctionRequest(
        @NotBlank @Size(max = 200) String title,
        String description,
        @Size(max = 50) String category,
        @NotNull @Positive Long startPrice,
        @Positive Long instantBuyPrice,
        @NotNull AuctionDuration duration,
        Boolean directTradeAvailable,
        Boolean deliveryAvailable) {
}
