package example.fairbid;

import io.lettuce.core.ReadFrom;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.Delay;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.RedisProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

@Configuration
public class RedisConfig {

    /** Behind Sentinel every command, reads included, goes to the current master. */
    /**
     * FairBid's setting. A readFrom makes Spring Data Redis open a Lettuce master/replica connection,
     * which follows Sentinel by its own topology refresh: after +elected-leader that refresh waits
     * out a 5 s timeout, so commands stay on the dead master for seconds after +switch-master.
     * FAIRBID_REDIS_MASTER_REPLICA=false leaves it out: a plain Sentinel connection, which asks
     * Sentinel for the master at every reconnect (every command goes to the master either way).
     */
    @Bean
    @Profile("sentinel")
    @ConditionalOnProperty(name = "fairbid.redis.master-replica", havingValue = "true", matchIfMissing = true)
    LettuceClientConfigurationBuilderCustomizer readFromMaster() {
        return builder -> builder.readFrom(ReadFrom.MASTER);
    }

    /**
     * fairbid.redis.keepalive-* / tcp-user-timeout / disconnected-behavior, each only when set.
     * Applied to Spring Boot's own ClientOptions builder (a LettuceClientOptionsBuilderCustomizer runs
     * after Boot has put in the connect timeout, SSL and TimeoutOptions.enabled()), so everything else
     * Boot and Lettuce chose stays. The builder cannot hand back Boot's SocketOptions, so they are
     * rebuilt whole, with Boot's connect timeout (spring.data.redis.connect-timeout, else Lettuce's 10 s).
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer fairbidClientOptions(FairbidRedisProperties tuning, RedisProperties redis) {
        return builder -> {
            if (tuning.keepaliveIdle() != null || tuning.tcpUserTimeout() != null) {
                builder.socketOptions(socketOptions(tuning, redis.getConnectTimeout()));
            }
            if (tuning.disconnectedBehavior() != null) {
                builder.disconnectedBehavior(tuning.disconnectedBehavior());
            }
        };
    }

    static SocketOptions socketOptions(FairbidRedisProperties tuning, Duration connectTimeout) {
        SocketOptions.Builder socket = SocketOptions.builder().connectTimeout(
                connectTimeout != null ? connectTimeout : SocketOptions.DEFAULT_CONNECT_TIMEOUT_DURATION);
        if (tuning.keepaliveIdle() != null) {
            socket.keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(tuning.keepaliveIdle())
                    .interval(tuning.keepaliveInterval()).count(tuning.keepaliveCount()).build());
        }
        if (tuning.tcpUserTimeout() != null) {
            socket.tcpUserTimeout(SocketOptions.TcpUserTimeoutOptions.builder().enable()
                    .tcpUserTimeout(tuning.tcpUserTimeout()).build());
        }
        return socket.build();
    }

    /**
     * fairbid.redis.reconnect-delay-max, when set: Lettuce's own exponential reconnect delay (0 ms
     * lower bound, powers of 2 in ms) with this ceiling instead of 30 s, so after a failover the
     * watchdog tries again at least this often.
     */
    @Bean
    ClientResourcesBuilderCustomizer fairbidReconnectDelay(FairbidRedisProperties tuning) {
        return builder -> {
            if (tuning.reconnectDelayMax() != null) {
                builder.reconnectDelay(Delay.exponential(Duration.ZERO, tuning.reconnectDelayMax(), 2,
                        TimeUnit.MILLISECONDS));
            }
        };
    }

    /** The one script that checks a bid and raises the price (see scripts/place-bid.lua). */
    @Bean
    RedisScript<String> placeBidScript() {
        return RedisScript.of(new ClassPathResource("scripts/place-bid.lua"), String.class);
    }
}
