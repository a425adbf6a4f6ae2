package example.fairbid.auction;

import example.fairbid.api.ApiResponse;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

@RestController
@RequestMapping("/api/v1/auctions")
class AuctionController {
    private final AuctionService service;

    AuctionController(AuctionService service) {
        this.service = service;
    }

    /** A seller (any number in X-User-Id: there are no user records) opens an auction. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    ApiResponse<Map<String, Long>> create(@RequestHeader("X-User-Id") long sellerId,
                                          @Valid @RequestBody CreateAuctionRequest request) {
        return ApiResponse.ok(Map.of("id", service.create(sellerId, request)));
    }

    /** Read from Redis (the master): a 404 for an unknown id also proves Redis answered. */
    @GetMapping("/{auctionId}")
    ApiResponse<Map<String, Object>> get(@PathVariable long auctionId) {
        return ApiResponse.ok(service.current(auctionId));
    }
}
