package example.fairbid.bid;

import example.fairbid.FairbidProperties;
import example.fairbid.FairbidRedisProperties;
import example.fairbid.api.BusinessException;
import example.fairbid.api.ErrorCode;
import example.fairbid.auction.AuctionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStringCommands;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.stereotype.Service;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

@Service
public class BidService {
    private static final Logger log = LoggerFactory.getLogger(BidService.class);
    /** Redis key of an Idempotency-Key's record: "<price>:pending", then "<price>:queued". */
    static final String IDEM_PREFIX = "bid-idem:";
    static final String PENDING = "pending", QUEUED = "queued";
    /** The script may be repeated after a timeout (with the key it replays), XADD only if never sent. */
    private static final Set<RedisRetry.Failure> SCRIPT_RETRY =
            EnumSet.of(RedisRetry.Failure.NOT_SENT, RedisRetry.Failure.OUTCOME_UNKNOWN);
    private static final Set<RedisRetry.Failure> XADD_RETRY = EnumSet.of(RedisRetry.Failure.NOT_SENT);

    private final StringRedisTemplate redis;
    private final RedisScript<String> placeBid;
    private final String streamKey;
    private final int retries;
    private final Duration retryBackoff;

    BidService(StringRedisTemplate redis, RedisScript<String> placeBidScript, FairbidProperties props,
               FairbidRedisProperties tuning) {
        this.redis = redis;
        this.placeBid = placeBidScript;
        this.streamKey = props.stream().key();
        this.retries = tuning.retries();
        this.retryBackoff = tuning.retryBackoff();
    }

    /**
     * Two steps, deliberately not atomic (FairBid's shape): the script checks the bid and raises the
     * price, then the bid is appended to the stream the consumers copy to MySQL. If the append fails
     * the bid stands (it is the price now) and is still answered 201: only the log knows.
     * <p>
     * idempotencyKey (the Idempotency-Key header, null without it; FairBid takes none) makes a repeat
     * of the same bid safe: the script answers the first attempt's price from bid-idem:<key> without
     * bidding again ("<price>:pending": bid placed, XADD not known to be done; "<price>:queued": XADD
     * done). A pending replay does the XADD, since the first attempt may have failed before or at it;
     * so a repeat sent while the first attempt is still between its script and its XADD, or after an
     * XADD whose answer was lost, appends the bid twice. Only with the key are Redis failures retried
     * here (fairbid.redis.retries): without it a repeated ONE_TOUCH would raise the price twice.
     */
    public BidResponse place(long auctionId, long bidderId, PlaceBidRequest request, String idempotencyKey) {
        if (request.bidType() == BidType.DIRECT && request.amount() == null) {
            throw new BusinessException(ErrorCode.VALIDATION_ERROR, "amount is required for a DIRECT bid");
        }
        String idemKey = idempotencyKey == null ? null : IDEM_PREFIX + idempotencyKey;
        List<String> keys = idemKey == null ? List.of(AuctionService.key(auctionId))
                : List.of(AuctionService.key(auctionId), idemKey);
        int tries = idemKey == null ? 0 : retries;
        Object[] args = {Long.toString(bidderId), request.bidType().name(),
                request.amount() == null ? "" : request.amount().toString(),
                Long.toString(System.currentTimeMillis())}; // once: a retry is the same bid at the same time
        String result = RedisRetry.call("place-bid script", tries, retryBackoff, SCRIPT_RETRY,
                () -> redis.execute(placeBid, keys, args));
        ScriptAnswer answer = ScriptAnswer.parse(result);
        long amount = answer.price();
        // a replay answers the first attempt's price; its time is not kept, so createdAt is this one's
        LocalDateTime createdAt = LocalDateTime.now();
        if (answer.replayState() != null) {
            log.info("idempotent replay: key={} auction={} bidder={} amount={} state={}", idempotencyKey,
                    auctionId, bidderId, amount, answer.replayState());
        }
        if (!QUEUED.equals(answer.replayState())) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("type", "BID_SAVE");
            entry.put("auctionId", Long.toString(auctionId));
            entry.put("bidderId", Long.toString(bidderId));
            entry.put("amount", Long.toString(amount));
            entry.put("bidType", request.bidType().name());
            entry.put("createdAt", createdAt.toString());
            try {
                // Retried only when it was never sent: a timed-out XADD may have been appended, and a
                // second XADD is a second entry with its own id, so a second MySQL row (the unique key
                // is stream_record_id, not the bid)
                RedisRetry.call("stream add", tries, retryBackoff, XADD_RETRY,
                        () -> redis.opsForStream().add(StreamRecords.newRecord().in(streamKey).ofMap(entry)));
                if (idemKey != null) {
                    markQueued(idemKey, amount);
                }
            } catch (RuntimeException e) {
                log.warn("stream add failed, bid not queued for MySQL: auction={} bidder={} amount={}: {}",
                        auctionId, bidderId, amount, e.toString());
            }
        }
        return new BidResponse(null, auctionId, bidderId, amount, request.bidType(), createdAt);
    }

    /**
     * SET bid-idem:<key> <price>:queued XX KEEPTTL: a later replay skips the XADD. Best effort: if it
     * fails the record stays pending and a replay appends once more.
     */
    private void markQueued(String idemKey, long amount) {
        try {
            redis.execute((RedisCallback<Boolean>) c -> c.stringCommands().set(
                    idemKey.getBytes(StandardCharsets.UTF_8),
                    (amount + ":" + QUEUED).getBytes(StandardCharsets.UTF_8),
                    Expiration.keepTtl(), RedisStringCommands.SetOption.ifPresent()));
        } catch (RuntimeException e) {
            log.warn("idempotency record not marked queued: {}: {}", idemKey, e.toString());
        }
    }

    /**
     * What the script answered: a price (replayState null), a replay "<price>:<state>" of an earlier
     * attempt under the same Idempotency-Key, or else the name of an ErrorCode (thrown as a refusal).
     */
    record ScriptAnswer(long price, String replayState) {

        static ScriptAnswer parse(String result) {
            if (result != null && !result.isEmpty() && Character.isDigit(result.charAt(0))) {
                int colon = result.indexOf(':');
                if (colon < 0) {
                    return new ScriptAnswer(Long.parseLong(result), null);
                }
                String state = result.substring(colon + 1);
                if (!state.equals(PENDING) && !state.equals(QUEUED)) {
                    throw new IllegalStateException("unexpected idempotency record: " + result);
                }
                return new ScriptAnswer(Long.parseLong(result.substring(0, colon)), state);
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
}
