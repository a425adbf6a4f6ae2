package example.fairbid.stream;

import example.fairbid.FairbidProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisStreamCommands.XClaimOptions;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessage;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;

/**
 * Entries delivered but never acknowledged (a persist error, a consumer that died) are taken over
 * here: every claim-interval, XPENDING for the oldest claim-count entries, XCLAIM of those idle at
 * least claim-idle, then the same copy and ack. No retry limit, no dead letter: an entry that can
 * never be stored comes back every interval.
 */
@Component
class PendingClaimer {
    private static final Logger log = LoggerFactory.getLogger(PendingClaimer.class);

    private final StringRedisTemplate redis;
    private final BidCopier copier;
    private final FairbidProperties.Stream props;
    private final String name = BidStreamConsumers.PREFIX + "-0";

    PendingClaimer(StringRedisTemplate redis, BidCopier copier, FairbidProperties props) {
        this.redis = redis;
        this.copier = copier;
        this.props = props.stream();
    }

    @Scheduled(initialDelayString = "${fairbid.stream.claim-interval-ms}",
            fixedDelayString = "${fairbid.stream.claim-interval-ms}")
    void claim() {
        try {
            PendingMessages pending = redis.opsForStream().pending(props.key(), props.group(),
                    Range.unbounded(), props.claimCount());
            List<RecordId> idle = pending.stream()
                    .filter(p -> p.getElapsedTimeSinceLastDelivery().toMillis() >= props.claimIdleMs())
                    .map(PendingMessage::getId).toList();
            if (idle.isEmpty()) {
                return;
            }
            List<MapRecord<String, Object, Object>> claimed = redis.opsForStream().claim(props.key(), props.group(),
                    name, XClaimOptions.minIdle(Duration.ofMillis(props.claimIdleMs())).ids(idle));
            log.info("claimed {} of {} pending (idle >= {} ms) as {}", claimed.size(), pending.size(),
                    props.claimIdleMs(), name);
            claimed.forEach(r -> copier.copy(r.getId(), r.getValue(), name));
        } catch (RuntimeException e) {
            log.warn("claim error: {}", e.toString());
        }
    }
}
