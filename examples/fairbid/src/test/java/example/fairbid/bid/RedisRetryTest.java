package example.fairbid.bid;

import example.fairbid.api.BusinessException;
import example.fairbid.api.ErrorCode;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.PoolException;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

import static example.fairbid.bid.RedisRetry.Failure.NOT_SENT;
import static example.fairbid.bid.RedisRetry.Failure.OTHER;
import static example.fairbid.bid.RedisRetry.Failure.OUTCOME_UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The failures as Spring Data Redis 3.5's LettuceExceptionConverter hands them out; no Redis needed. */
class RedisRetryTest {

    @Test
    void classifiesWhatSpringDataRedisThrows() {
        assertEquals(NOT_SENT, RedisRetry.classify(new RedisConnectionFailureException("Unable to connect to Redis",
                new RedisConnectionException("Unable to connect to 127.0.0.1:6379"))));
        assertEquals(NOT_SENT, RedisRetry.classify(new PoolException("Could not get a resource from the pool",
                new RedisConnectionException("Unable to connect"))));
        assertEquals(NOT_SENT, RedisRetry.classify(new RedisSystemException("Redis exception",
                new RedisException("Currently not connected. Commands are rejected."))));
        assertEquals(OUTCOME_UNKNOWN, RedisRetry.classify(new QueryTimeoutException("Redis command timed out",
                new RedisCommandTimeoutException("Command timed out after 3 second(s)"))));
        assertEquals(OUTCOME_UNKNOWN, RedisRetry.classify(new RedisSystemException("Redis exception",
                new RedisException(new IOException("Connection reset by peer")))));
        assertEquals(OUTCOME_UNKNOWN, RedisRetry.classify(new RedisSystemException("Redis exception",
                new RedisException("Connection disconnected"))));
        // Redis answered: an error reply is no connection failure
        assertEquals(OTHER, RedisRetry.classify(new RedisSystemException("Error in execution",
                new RedisCommandExecutionException("READONLY You can't write against a read only replica."))));
        assertEquals(OTHER, RedisRetry.classify(new IllegalStateException("x")));
    }

    @Test
    void retriesOnlyAcceptedFailuresAndAtMostRetriesTimes() {
        AtomicInteger calls = new AtomicInteger();
        QueryTimeoutException timeout = new QueryTimeoutException("t", new RedisCommandTimeoutException("t"));
        QueryTimeoutException thrown = assertThrows(QueryTimeoutException.class, () -> RedisRetry.call("x", 3,
                Duration.ZERO, EnumSet.of(NOT_SENT, OUTCOME_UNKNOWN), () -> {
                    calls.incrementAndGet();
                    throw timeout;
                }));
        assertSame(timeout, thrown);
        assertEquals(4, calls.get()); // the try and 3 retries

        calls.set(0);
        assertThrows(QueryTimeoutException.class, () -> RedisRetry.call("x", 3, Duration.ZERO,
                EnumSet.of(NOT_SENT), () -> {
                    calls.incrementAndGet();
                    throw timeout;
                }));
        assertEquals(1, calls.get()); // a timed-out XADD is not repeated

        calls.set(0);
        assertEquals("ok", RedisRetry.call("x", 0, Duration.ZERO, EnumSet.of(NOT_SENT), () -> {
            calls.incrementAndGet();
            return "ok";
        }));
        RedisConnectionFailureException refused = new RedisConnectionFailureException("r");
        calls.set(0);
        assertEquals("ok", RedisRetry.call("x", 2, Duration.ofMillis(1), EnumSet.of(NOT_SENT), () -> {
            if (calls.incrementAndGet() < 3) {
                throw refused;
            }
            return "ok";
        }));
        assertEquals(3, calls.get());
    }

    @Test
    void readsScriptAnswers() {
        assertEquals(new BidService.ScriptAnswer(12000, null), BidService.ScriptAnswer.parse("12000"));
        assertEquals(new BidService.ScriptAnswer(12000, "pending"), BidService.ScriptAnswer.parse("12000:pending"));
        assertEquals(new BidService.ScriptAnswer(12000, "queued"), BidService.ScriptAnswer.parse("12000:queued"));
        assertNull(BidService.ScriptAnswer.parse("5").replayState());
        BusinessException refused = assertThrows(BusinessException.class,
                () -> BidService.ScriptAnswer.parse("BID_TOO_LOW"));
        assertEquals(ErrorCode.BID_TOO_LOW, refused.code);
        assertThrows(IllegalStateException.class, () -> BidService.ScriptAnswer.parse("12000:other"));
    }
}
