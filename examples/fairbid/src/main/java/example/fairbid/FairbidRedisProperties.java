package example.fairbid;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Lettuce client tuning for the fault experiments: fairbid.redis.*, or FAIRBID_REDIS_* in the
 * environment. Everything is unset by default, and then Spring Boot's own Lettuce configuration is
 * left as it is (RedisConfig changes a client option only when its setting is given).
 *
 * @param keepaliveIdle        TCP keepalive probes after this much idle time, every keepaliveInterval,
 *                             keepaliveCount of them: a silent peer is dropped after about
 *                             idle + interval * count instead of the kernel's two hours. Whole seconds
 *                             (the socket option's unit; a fraction is cut off), at least 1 s.
 * @param keepaliveInterval    see keepaliveIdle; at least 1 s
 * @param keepaliveCount       see keepaliveIdle; at least 1
 * @param tcpUserTimeout       TCP_USER_TIMEOUT: data unacknowledged this long closes the connection, so
 *                             a command sent into a network cut fails then rather than at the keepalive.
 *                             Only acts on the epoll transport (GET /internal/redis-client says which).
 * @param disconnectedBehavior what Lettuce does with a command while disconnected: DEFAULT and
 *                             ACCEPT_COMMANDS buffer it until the reconnect or the command timeout;
 *                             REJECT_COMMANDS fails it at once
 * @param reconnectDelayMax    ceiling of the reconnect watchdog's exponential delay (Lettuce: 30 s), so a
 *                             master that is back is found within this
 * @param retries              server-side retries of a bid's script call after a connection failure or
 *                             a timeout; only for a request with an Idempotency-Key (see BidService)
 * @param retryBackoff         wait before the first retry, doubled each time, at most 1 s
 */
@ConfigurationProperties(prefix = "fairbid.redis")
public record FairbidRedisProperties(Duration keepaliveIdle,
                                     @DefaultValue("1s") Duration keepaliveInterval,
                                     @DefaultValue("3") int keepaliveCount,
                                     Duration tcpUserTimeout,
                                     ClientOptions.DisconnectedBehavior disconnectedBehavior,
                                     Duration reconnectDelayMax,
                                     @DefaultValue("0") int retries,
                                     @DefaultValue("100ms") Duration retryBackoff) {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    /** A wrong value stops the start with its name rather than reaching the socket as an EINVAL. */
    public FairbidRedisProperties {
        if (keepaliveIdle != null) {
            require(keepaliveIdle.compareTo(ONE_SECOND) >= 0, "fairbid.redis.keepalive-idle must be at least 1s");
            require(keepaliveInterval.compareTo(ONE_SECOND) >= 0, "fairbid.redis.keepalive-interval must be at least 1s");
            require(keepaliveCount >= 1, "fairbid.redis.keepalive-count must be at least 1");
        }
        require(tcpUserTimeout == null || tcpUserTimeout.toMillis() >= 1, "fairbid.redis.tcp-user-timeout must be at least 1ms");
        require(reconnectDelayMax == null || reconnectDelayMax.toMillis() >= 1, "fairbid.redis.reconnect-delay-max must be at least 1ms");
        require(retries >= 0, "fairbid.redis.retries must not be negative");
        require(!retryBackoff.isNegative(), "fairbid.redis.retry-backoff must not be negative");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
