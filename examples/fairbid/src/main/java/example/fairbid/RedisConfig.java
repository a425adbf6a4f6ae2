package example.fairbid;

import io.lettuce.core.ReadFrom;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

@Configuration
public class RedisConfig {

    /** Behind Sentinel every command, reads included, goes to the current master. */
    @Bean
    @Profile("sentinel")
    LettuceClientConfigurationBuilderCustomizer readFromMaster() {
        return builder -> builder.readFrom(ReadFrom.MASTER);
    }

    /** The one script that checks a bid and raises the price (see scripts/place-bid.lua). */
    @Bean
    RedisScript<String> placeBidScript() {
        return RedisScript.of(new ClassPathResource("scripts/place-bid.lua"), String.class);
    }
}
