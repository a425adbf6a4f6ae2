package example.fairbid;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisConfigTest {

    private static FairbidRedisProperties tuning(Duration idle, Duration userTimeout,
                                                 ClientOptions.DisconnectedBehavior behavior) {
        return new FairbidRedisProperties(idle, Duration.ofSeconds(1), 3, userTimeout, behavior, null, 0,
                Duration.ofMillis(100));
    }

    /** The customizer runs on Boot's builder: what it does not set (timeout options, auto-reconnect) stays. */
    @Test
    void changesOnlyWhatIsSetAndKeepsBootsConnectTimeout() {
        var redis = new org.springframework.boot.autoconfigure.data.redis.RedisProperties();
        redis.setConnectTimeout(Duration.ofMillis(2500));
        ClientOptions.Builder boot = ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(redis.getConnectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled());
        new RedisConfig().fairbidClientOptions(tuning(Duration.ofSeconds(2), Duration.ofSeconds(1),
                ClientOptions.DisconnectedBehavior.REJECT_COMMANDS), redis).customize(boot);
        ClientOptions options = boot.build();
        SocketOptions socket = options.getSocketOptions();
        assertEquals(Duration.ofMillis(2500), socket.getConnectTimeout());
        assertTrue(socket.getKeepAlive().isEnabled());
        assertEquals(Duration.ofSeconds(2), socket.getKeepAlive().getIdle());
        assertEquals(3, socket.getKeepAlive().getCount());
        assertTrue(socket.getTcpUserTimeout().isEnabled());
        assertEquals(Duration.ofSeconds(1), socket.getTcpUserTimeout().getTcpUserTimeout());
        assertEquals(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS, options.getDisconnectedBehavior());
        assertTrue(options.getTimeoutOptions().isTimeoutCommands());
        assertTrue(options.isAutoReconnect());
    }

    @Test
    void unsetChangesNothing() {
        var redis = new org.springframework.boot.autoconfigure.data.redis.RedisProperties();
        SocketOptions bootSocket = SocketOptions.builder().connectTimeout(Duration.ofMillis(2500)).build();
        ClientOptions.Builder boot = ClientOptions.builder().socketOptions(bootSocket);
        new RedisConfig().fairbidClientOptions(tuning(null, null, null), redis).customize(boot);
        ClientOptions options = boot.build();
        assertEquals(Duration.ofMillis(2500), options.getSocketOptions().getConnectTimeout());
        assertFalse(options.getSocketOptions().getKeepAlive().isEnabled());
        assertFalse(options.getSocketOptions().getTcpUserTimeout().isEnabled());
        assertEquals(ClientOptions.DEFAULT_DISCONNECTED_BEHAVIOR, options.getDisconnectedBehavior());
    }

    @Test
    void noConnectTimeoutSetMeansLettucesDefault() {
        SocketOptions socket = RedisConfig.socketOptions(tuning(null, Duration.ofSeconds(1), null), null);
        assertEquals(SocketOptions.DEFAULT_CONNECT_TIMEOUT_DURATION, socket.getConnectTimeout());
        assertFalse(socket.getKeepAlive().isEnabled());
    }

    @Test
    void refusesAKeepaliveTheSocketCannotTake() {
        assertThrows(IllegalArgumentException.class, () -> tuning(Duration.ofMillis(500), null, null));
    }
}
