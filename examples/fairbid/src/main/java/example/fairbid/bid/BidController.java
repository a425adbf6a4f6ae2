package example.fairbid.bid;

import example.fairbid.api.ApiResponse;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BidController {
    private final BidService service;

    BidController(BidService service) {
        this.service = service;
    }

    /** The bidder is whatever number X-User-Id carries; no idempotency key is taken. */
    @PostMapping("/api/v1/auctions/{auctionId}/bids")
    @ResponseStatus(HttpStatus.CREATED)
    ApiResponse<BidResponse> place(@PathVariable long auctionId, @RequestHeader("X-User-Id") long bidderId,
                                   @Valid @RequestBody PlaceBidRequest request) {
        return ApiResponse.ok(service.place(auctionId, bidderId, request));
    }
}
