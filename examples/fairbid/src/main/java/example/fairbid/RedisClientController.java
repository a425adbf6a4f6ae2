package example.fairbid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceVersion;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * GET /internal/redis-client: the Redis client settings this process really runs with, read back from
 * the live LettuceConnectionFactory and its RedisClient (not from the properties), so a harness that
 * starts copies with different FAIRBID_REDIS_* / SPRING_DATA_REDIS_* can check that each took effect.
 * The same JSON is logged once at startup. Only serverRetries / serverRetryBackoffMs come from
 * fairbid.redis.*: they are this service's own, not Lettuce's.
 */
@RestController
class RedisClientController {
    private static final Logger log = LoggerFactory.getLogger(RedisClientController.class);

    private final LettuceConnectionFactory factory;
    private final FairbidRedisProperties tuning;
    private final ObjectMapper json;

    RedisClientController(LettuceConnectionFactory factory, FairbidRedisProperties tuning, ObjectMapper json) {
        this.factory = factory;
        this.tuning = tuning;
        this.json = json;
    }

    @GetMapping("/internal/redis-client")
    Map<String, Object> redisClient() {
        return describe();
    }

    @EventListener(ApplicationReadyEvent.class)
    void logAtStart() throws JsonProcessingException {
        log.info("redis client in use: {}", json.writeValueAsString(describe()));
    }

    Map<String, Object> describe() {
        LettuceClientConfiguration config = factory.getClientConfiguration();
        // the RedisClient holds what Lettuce was given; the configuration is the fallback before start
        AbstractRedisClient client = nativeClient();
        ClientOptions options = client != null ? client.getOptions()
                : config.getClientOptions().orElseGet(ClientOptions::create);
        ClientResources resources = client != null ? client.getResources()
                : config.getClientResources().orElse(factory.getClientResources());
        SocketOptions socket = options.getSocketOptions();

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lettuceVersion", lettuceVersion());
        out.put("commandTimeoutMs", config.getCommandTimeout().toMillis());
        out.put("shutdownTimeoutMs", config.getShutdownTimeout().toMillis());
        out.put("readFrom", config.getReadFrom().map(RedisClientController::readFromName).orElse(null));
        out.put("pooled", config instanceof LettucePoolingClientConfiguration);
        out.put("pool", config instanceof LettucePoolingClientConfiguration pooling ? pool(pooling.getPoolConfig()) : null);
        out.put("shareNativeConnection", factory.getShareNativeConnection());
        out.put("autoReconnect", options.isAutoReconnect());
        out.put("disconnectedBehavior", options.getDisconnectedBehavior().name());
        out.put("timeoutCommands", options.getTimeoutOptions().isTimeoutCommands());
        out.put("connectTimeoutMs", socket.getConnectTimeout().toMillis());
        SocketOptions.KeepAliveOptions keepAlive = socket.getKeepAlive();
        Map<String, Object> ka = new LinkedHashMap<>();
        ka.put("enabled", keepAlive.isEnabled());
        ka.put("idleS", keepAlive.getIdle().getSeconds());
        ka.put("intervalS", keepAlive.getInterval().getSeconds());
        ka.put("count", keepAlive.getCount());
        out.put("keepAlive", ka);
        SocketOptions.TcpUserTimeoutOptions userTimeout = socket.getTcpUserTimeout();
        Map<String, Object> tut = new LinkedHashMap<>();
        tut.put("enabled", userTimeout.isEnabled());
        tut.put("ms", userTimeout.getTcpUserTimeout().toMillis());
        out.put("tcpUserTimeout", tut);
        // TCP_USER_TIMEOUT is only set on epoll (or io_uring); on NIO Lettuce logs a warning and skips it
        out.put("nativeTransport", EpollProvider.isAvailable() ? "epoll" : IOUringProvider.isAvailable() ? "io_uring" : "nio");
        out.put("reconnectDelay", resources == null ? null : delay(resources.reconnectDelay()));
        out.put("sentinel", sentinel(factory.getSentinelConfiguration()));
        out.put("serverRetries", tuning.retries());
        out.put("serverRetryBackoffMs", tuning.retryBackoff().toMillis());
        return out;
    }

    private AbstractRedisClient nativeClient() {
        try {
            return factory.getNativeClient();
        } catch (RuntimeException notStarted) {
            return null;
        }
    }

    private static String lettuceVersion() {
        String v = LettuceVersion.getVersion(); // the manifest's "6.6.0.RELEASE/<commit>"
        return v == null ? null : v.split("/")[0];
    }

    /** ReadFrom has no name of its own: the constant it is (MASTER when UPSTREAM is the same object). */
    private static String readFromName(ReadFrom readFrom) {
        List<String> names = new ArrayList<>();
        for (Field f : ReadFrom.class.getFields()) {
            try {
                if (Modifier.isStatic(f.getModifiers()) && f.get(null) == readFrom) {
                    names.add(f.getName());
                }
            } catch (IllegalAccessException ignored) {
                // a public constant: cannot happen
            }
        }
        return names.contains("MASTER") ? "MASTER" : names.isEmpty() ? readFrom.toString() : names.get(0);
    }

    private static Map<String, Object> pool(GenericObjectPoolConfig<?> p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxActive", p.getMaxTotal());
        out.put("maxIdle", p.getMaxIdle());
        out.put("minIdle", p.getMinIdle());
        out.put("maxWaitMs", p.getMaxWaitDuration().toMillis());
        return out;
    }

    /** e.g. "ExponentialDelay(lower=0ms, upper=30000ms, powersOf=2, targetTimeUnit=MILLISECONDS)". */
    static String delay(Delay delay) {
        try {
            StringJoiner fields = new StringJoiner(", ", delay.getClass().getSimpleName() + "(", ")");
            for (Class<?> c = delay.getClass(); c != Delay.class && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) {
                        continue;
                    }
                    f.setAccessible(true);
                    Object v = f.get(delay);
                    fields.add(f.getName() + "=" + (v instanceof Duration d ? d.toMillis() + "ms" : v));
                }
            }
            return fields.toString();
        } catch (ReflectiveOperationException | RuntimeException unreadable) {
            return delay.toString();
        }
    }

    private static Map<String, Object> sentinel(RedisSentinelConfiguration sentinel) {
        if (sentinel == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("master", sentinel.getMaster() == null ? null : sentinel.getMaster().getName());
        out.put("nodes", sentinel.getSentinels().stream().map(RedisNode::asString).toList());
        return out;
    }
}
