package example.fairbid;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The bidding API and, in the same process, the stream consumers that copy bids to MySQL. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling // the pending-entry claimer
public class FairbidApplication {
    public static void main(String[] args) {
        SpringApplication.run(FairbidApplication.class, args);
    }
}
