package example.fairbid.auction;

import java.time.Duration;

/** How long an auction runs after it is created. */
public enum AuctionDuration {
    HOURS_24(Duration.ofHours(24)),
    HOURS_48(Duration.ofHours(48)),
    HOURS_72(Duration.ofHours(72));

    public final Duration length;

    AuctionDuration(Duration length) {
        this.length = length;
    }
}
