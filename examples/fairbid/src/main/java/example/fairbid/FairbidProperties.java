package example.fairbid;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The service's own settings (application.yml), each overridable by an environment variable,
 * e.g. FAIRBID_BID_INCREMENT, FAIRBID_STREAM_CONSUMERS, FAIRBID_STREAM_CLAIM_IDLE_MS.
 */
@ConfigurationProperties(prefix = "fairbid")
public record FairbidProperties(long bidIncrement, Stream stream) {

    /** The bid stream and its consumer group, as FairBid names them. */
    public record Stream(String key, String group, int consumers, int batchSize,
                         long claimIntervalMs, long claimIdleMs, int claimCount) {
    }
}
