package example.fairbid.auction;

import example.fairbid.FairbidProperties;
import example.fairbid.api.BusinessException;
import example.fairbid.api.ErrorCode;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

@Service
public class AuctionService {
    static final String ONGOING = "ONGOING";
    /** Hash fields handed out as numbers by GET /api/v1/auctions/{id}. */
    private static final Set<String> NUMERIC = Set.of("id", "sellerId", "startPrice", "instantBuyPrice",
            "currentPrice", "bidIncrement", "topBidderId", "topBidAmount", "totalBidCount", "startTime", "endTime");

    private final AuctionRepository auctions;
    private final StringRedisTemplate redis;
    private final long bidIncrement;

    AuctionService(AuctionRepository auctions, StringRedisTemplate redis, FairbidProperties props) {
        this.auctions = auctions;
        this.redis = redis;
        this.bidIncrement = props.bidIncrement();
    }

    public static String key(long auctionId) {
        return "auction:" + auctionId;
    }

    /**
     * The row first (it gives the id), then the Redis hash bids are checked against. Both in one
     * transaction: if Redis refuses, the row is rolled back and the seller gets a 500.
     * bidIncrement: one fixed step for every auction (fairbid.bid-increment, 1000 by default).
     */
    @Transactional
    public long create(long sellerId, CreateAuctionRequest request) {
        LocalDateTime now = LocalDateTime.now();
        Auction a = auctions.save(new Auction(sellerId, request, bidIncrement, now));
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put("id", a.id.toString());
        hash.put("sellerId", Long.toString(sellerId));
        hash.put("title", a.title);
        hash.put("status", ONGOING);
        hash.put("startPrice", a.startPrice.toString());
        hash.put("instantBuyPrice", a.instantBuyPrice == null ? "" : a.instantBuyPrice.toString());
        hash.put("currentPrice", a.startPrice.toString());
        hash.put("bidIncrement", a.bidIncrement.toString());
        hash.put("topBidderId", "");
        hash.put("topBidAmount", "0");
        hash.put("totalBidCount", "0");
        hash.put("startTime", Long.toString(epochMillis(a.startTime)));
        hash.put("endTime", Long.toString(epochMillis(a.endTime)));
        redis.opsForHash().putAll(key(a.id), hash);
        return a.id;
    }

    /** The auction as Redis holds it now, plus the smallest DIRECT bid it would take. */
    public Map<String, Object> current(long auctionId) {
        Map<Object, Object> hash = redis.opsForHash().entries(key(auctionId));
        if (hash.isEmpty()) {
            throw new BusinessException(ErrorCode.AUCTION_NOT_FOUND, "auction " + auctionId + " not found");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        hash.forEach((k, v) -> {
            String field = k.toString(), value = v.toString();
            out.put(field, NUMERIC.contains(field) && !value.isEmpty() ? Long.parseLong(value) : value);
        });
        if (out.get("currentPrice") instanceof Long price && out.get("bidIncrement") instanceof Long step) {
            out.put("minimumBid", price + step);
        }
        return out;
    }

    private static long epochMillis(LocalDateTime t) {
        return t.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }
}
