package example.fairbid.stream;

import example.fairbid.FairbidProperties;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.stream.StreamMessageListenerContainer;
import org.springframework.data.redis.stream.StreamMessageListenerContainer.StreamMessageListenerContainerOptions;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The stream's consumers, inside the application as in FairBid: one listener container, one
 * subscription per consumer, named consumer-<8 hex, new each start>-<n>. Framework defaults
 * throughout (only the batch size is set): a read error (Redis down, a failover) is logged by the
 * default error handler and ends that subscription for good (spring-data-redis issue 2833); the
 * process keeps answering bids while nothing copies them. That is the behaviour being measured.
 */
@Component
class BidStreamConsumers {
    private static final Logger log = LoggerFactory.getLogger(BidStreamConsumers.class);

    /** This process's consumer-name prefix; the claimer uses <prefix>-0. */
    static final String PREFIX = "consumer-" + UUID.randomUUID().toString().substring(0, 8);

    private final StringRedisTemplate redis;
    private final BidCopier copier;
    private final FairbidProperties.Stream props;
    private final StreamMessageListenerContainer<String, MapRecord<String, String, String>> container;

    BidStreamConsumers(RedisConnectionFactory factory, StringRedisTemplate redis, BidCopier copier,
                       FairbidProperties props) {
        this.redis = redis;
        this.copier = copier;
        this.props = props.stream();
        this.container = StreamMessageListenerContainer.create(factory,
                StreamMessageListenerContainerOptions.builder().batchSize(this.props.batchSize()).build());
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        createGroup();
        for (int n = 1; n <= props.consumers(); n++) {
            String name = PREFIX + "-" + n;
            container.receive(Consumer.from(props.group(), name),
                    StreamOffset.create(props.key(), ReadOffset.lastConsumed()),
                    record -> copier.copy(record.getId(), record.getValue(), name));
        }
        container.start();
        log.info("stream consumers started: {} x {}-1..{} on {} group {}", props.consumers(), PREFIX,
                props.consumers(), props.key(), props.group());
    }

    /** XGROUP CREATE <key> <group> 0 MKSTREAM; BUSYGROUP (it exists) is fine, Redis down is only logged. */
    private void createGroup() {
        try {
            redis.execute((RedisCallback<String>) c -> c.streamCommands().xGroupCreate(
                    props.key().getBytes(StandardCharsets.UTF_8), props.group(), ReadOffset.from("0"), true));
            log.info("created group {} on {}", props.group(), props.key());
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("BUSYGROUP")
                    || (e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("BUSYGROUP"))) {
                log.info("group {} on {} exists", props.group(), props.key());
            } else {
                log.warn("group create failed (starting anyway): {}", e.toString());
            }
        }
    }

    @PreDestroy
    void stop() {
        container.stop();
    }
}
