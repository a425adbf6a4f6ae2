package example.fairbid.bid;

import example.fairbid.FairbidProperties;
import example.fairbid.api.BusinessException;
import example.fairbid.api.ErrorCode;
import example.fairbid.auction.AuctionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Service
public class BidService {
    private static final Logger log = LoggerFactory.getLogger(BidService.class);

    private final StringRedisTemplate redis;
    private final RedisScript<String> placeBid;
    private final String streamKey;

    BidService(StringRedisTemplate redis, RedisScript<String> placeBidScript, FairbidProperties props) {
        this.redis = redis;
        this.placeBid = placeBidScript;
        this.streamKey = props.stream().key();
    }

    /**
     * Two steps, deliberately not atomic (FairBid's shape): the script checks the bid and raises the
     * price, then the bid is appended to the stream the consumers copy to MySQL. If the append fails
     * the bid stands (it is the price now) and is still answered 201: only the log knows.
     */
    public BidResponse place(long auctionId, long bidderId, PlaceBidRequest request) {
        if (request.bidType() == BidType.DIRECT && request.amount() == null) {
            throw new BusinessException(ErrorCode.VALIDATION_ERROR, "amount is required for a DIRECT bid");
        }
        String result = redis.execute(placeBid, List.of(AuctionService.key(auctionId)),
                Long.toString(bidderId), request.bidType().name(),
                request.amount() == null ? "" : request.amount().toString(),
                Long.toString(System.currentTimeMillis()));
        long amount = amountOrRefusal(result);
        LocalDateTime createdAt = LocalDateTime.now();

        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("type", "BID_SAVE");
        entry.put("auctionId", Long.toString(auctionId));
        entry.put("bidderId", Long.toString(bidderId));
        entry.put("amount", Long.toString(amount));
        entry.put("bidType", request.bidType().name());
        entry.put("createdAt", createdAt.toString());
        try {
            redis.opsForStream().add(StreamRecords.newRecord().in(streamKey).ofMap(entry));
        } catch (RuntimeException e) {
            log.warn("stream add failed, bid not queued for MySQL: auction={} bidder={} amount={}: {}",
                    auctionId, bidderId, amount, e.toString());
        }
        return new BidResponse(null, auctionId, bidderId, amount, request.bidType(), createdAt);
    }

    /** The script answers the new price, or the name of an ErrorCode. */
    private static long amountOrRefusal(String result) {
        if (result != null && !result.isEmpty() && Character.isDigit(result.charAt(0))) {
            return Long.parseLong(result);
        }
        ErrorCode code = ErrorCode.valueOf(result);
        throw new BusinessException(code, switch (code) {
            case AUCTION_NOT_FOUND -> "auction not found";
            case AUCTION_ENDED -> "the auction has ended";
            case SELF_BID_NOT_ALLOWED -> "the seller cannot bid on their own auction";
            case BID_TOO_LOW -> "the amount must be at least the current price plus the bid increment";
            default -> result;
        });
    }
}
