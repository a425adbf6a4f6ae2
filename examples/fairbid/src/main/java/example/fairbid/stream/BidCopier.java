package example.fairbid.stream;

import example.fairbid.FairbidProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Map;

/**
 * Copies one stream entry to MySQL, then acknowledges it. Used by the listeners and by the claimer.
 * Never throws: an exception out of a listener would end its subscription, and that should happen
 * only where FairBid's does, on a read error.
 */
@Component
class BidCopier {
    private static final Logger log = LoggerFactory.getLogger(BidCopier.class);
    private static final int MYSQL_DUPLICATE_KEY = 1062;

    private final BidRepository bids;
    private final TransactionTemplate tx;
    private final StringRedisTemplate redis;
    private final String key, group;

    BidCopier(BidRepository bids, TransactionTemplate tx, StringRedisTemplate redis, FairbidProperties props) {
        this.bids = bids;
        this.tx = tx;
        this.redis = redis;
        this.key = props.stream().key();
        this.group = props.stream().group();
    }

    void copy(RecordId id, Map<?, ?> fields, String consumer) {
        try {
            if (!"BID_SAVE".equals(str(fields, "type"))) {
                log.warn("skipped: stream record {} has type {}", id, str(fields, "type"));
            } else {
                Bid bid = new Bid(Long.parseLong(str(fields, "auctionId")), Long.parseLong(str(fields, "bidderId")),
                        Long.parseLong(str(fields, "amount")), str(fields, "bidType"),
                        LocalDateTime.parse(str(fields, "createdAt")), id.getValue());
                tx.executeWithoutResult(status -> bids.save(bid)); // one insert, one transaction
            }
        } catch (DataIntegrityViolationException e) {
            if (!isDuplicate(e)) {
                log.warn("persist error: stream record {} ({}): {}", id, consumer, e.getMostSpecificCause().toString());
                return;
            }
            // delivered before and stored, but the ack was lost: stored is stored, ack it now
            log.info("already stored: stream record {} ({})", id, consumer);
        } catch (RuntimeException e) {
            // left pending: the claimer hands it out again once idle long enough (no retry limit)
            log.warn("persist error: stream record {} ({}): {}", id, consumer,
                    NestedExceptionUtils.getMostSpecificCause(e).toString());
            return;
        }
        try {
            redis.opsForStream().acknowledge(key, group, id);
        } catch (RuntimeException e) {
            log.warn("ack error: stream record {} ({}) stored but still pending: {}", id, consumer, e.toString());
        }
    }

    private static String str(Map<?, ?> fields, String name) {
        Object v = fields.get(name);
        return v == null ? null : v.toString();
    }

    private static boolean isDuplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() == MYSQL_DUPLICATE_KEY) {
                return true;
            }
        }
        return false;
    }
}
