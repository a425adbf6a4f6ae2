package example.fairbid.bid;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Which Redis failures of a bid may be retried in the server, and the retry loop.
 * What Spring Data Redis 3.5 (LettuceExceptionConverter) throws for each:
 * <ul>
 * <li>no connection (refused, Sentinel knows no master): RedisConnectionFailureException over Lettuce's
 *     RedisConnectionException (through the pool: PoolException over the same);</li>
 * <li>REJECT_COMMANDS while disconnected: RedisSystemException over a plain RedisException
 *     "Currently not connected. Commands are rejected.";</li>
 * <li>command timeout: QueryTimeoutException over RedisCommandTimeoutException;</li>
 * <li>the connection broke with the command in flight (reset, TCP_USER_TIMEOUT's ETIMEDOUT):
 *     RedisSystemException over a RedisException over the IOException, or "Connection closed" /
 *     "Connection disconnected" when Lettuce cancels what it had queued;</li>
 * <li>an error reply (READONLY, NOREPLICAS, a script error): RedisSystemException over a
 *     RedisCommandExecutionException. Redis answered, so this is no connection failure.</li>
 * </ul>
 */
final class RedisRetry {
    private static final Logger log = LoggerFactory.getLogger(RedisRetry.class);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** Lettuce's messages when it cancels commands it had queued or sent on a connection that went away. */
    private static final Set<String> CONNECTION_LOST = Set.of("Connection closed", "Connection disconnected");

    enum Failure {
        /** The command never left this process: any command, XADD included, may be sent again. */
        NOT_SENT,
        /** Sent or maybe sent, and no answer: it may have run. Only an idempotent call may be repeated. */
        OUTCOME_UNKNOWN,
        /** Anything else, Redis's own error replies included: not retried. */
        OTHER
    }

    private RedisRetry() {
    }

    static Failure classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException) {
                return Failure.OTHER;
            }
            if (t instanceof RedisConnectionException || t instanceof ConnectException) {
                return Failure.NOT_SENT;
            }
            if (t instanceof RedisCommandTimeoutException || t instanceof TimeoutException
                    || t instanceof QueryTimeoutException || t instanceof IOException) {
                return Failure.OUTCOME_UNKNOWN;
            }
            if (t.getClass() == RedisException.class && t.getMessage() != null) {
                if (t.getMessage().contains("Commands are rejected")) {
                    return Failure.NOT_SENT;
                }
                if (CONNECTION_LOST.contains(t.getMessage())) {
                    return Failure.OUTCOME_UNKNOWN;
                }
            }
        }
        // Spring's own "could not get a connection", whatever it wraps: nothing was written
        return e instanceof RedisConnectionFailureException ? Failure.NOT_SENT : Failure.OTHER;
    }

    /**
     * op, then up to retries more tries while its failure is one retryIf accepts, waiting backoff
     * before the first retry and twice as long before each next one, at most MAX_BACKOFF.
     * The last failure is thrown as it was (so it maps to the same 500 as without retries).
     */
    static <T> T call(String what, int retries, Duration backoff, Set<Failure> retryIf, Supplier<T> op) {
        long waitMs = Math.min(backoff.toMillis(), MAX_BACKOFF.toMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (RuntimeException e) {
                Failure failure = classify(e);
                if (attempt > retries || !retryIf.contains(failure)) {
                    throw e;
                }
                log.info("{} failed ({}: {}), retry {}/{} in {} ms", what, failure,
                        NestedExceptionUtils.getMostSpecificCause(e), attempt, retries, waitMs);
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                waitMs = Math.min(waitMs * 2, MAX_BACKOFF.toMillis());
            }
        }
    }
}
