package example.fairbid.bid;

import example.fairbid.api.ApiResponse;
import example.fairbid.api.BusinessException;
import example.fairbid.api.ErrorCode;
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
    /** It becomes part of a Redis key (bid-idem:<key>); a UUID is 36. */
    static final int MAX_KEY_LENGTH = 200;

    private final BidService service;

    BidController(BidService service) {
        this.service = service;
    }

    /**
     * The bidder is whatever number X-User-Id carries. Idempotency-Key is optional and not FairBid's
     * (it takes none): the practice the harness recommends, so that a client may repeat a bid whose
     * answer it lost (see BidService#place). Without it, or blank, everything is as in FairBid.
     */
    @PostMapping("/api/v1/auctions/{auctionId}/bids")
    @ResponseStatus(HttpStatus.CREATED)
    ApiResponse<BidResponse> place(@PathVariable long auctionId, @RequestHeader("X-User-Id") long bidderId,
                                   @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey,
                                   @Valid @RequestBody PlaceBidRequest request) {
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.strip();
        if (key != null && key.length() > MAX_KEY_LENGTH) {
            throw new BusinessException(ErrorCode.VALIDATION_ERROR,
                    "Idempotency-Key must be at most " + MAX_KEY_LENGTH + " characters");
        }
        return ApiResponse.ok(service.place(auctionId, bidderId, request, key));
    }
}
