package example.fairbid.auction;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import java.time.LocalDateTime;

/** An auction's row in MySQL (table auction). Its live price lives in Redis, not here. */
@Entity
public class Auction {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;
    Long sellerId;
    String title;
    @Column(columnDefinition = "TEXT")
    String description;
    String category;
    Long startPrice;
    Long instantBuyPrice;
    Long bidIncrement;
    @Enumerated(EnumType.STRING)
    AuctionDuration duration;
    boolean directTradeAvailable;
    boolean deliveryAvailable;
    String status;
    LocalDateTime startTime;
    LocalDateTime endTime;
    LocalDateTime createdAt;

    protected Auction() {
    }

    Auction(long sellerId, CreateAuctionRequest r, long bidIncrement, LocalDateTime now) {
        this.sellerId = sellerId;
        this.title = r.title();
        this.description = r.description();
        this.category = r.category();
        this.startPrice = r.startPrice();
        this.instantBuyPrice = r.instantBuyPrice();
        this.bidIncrement = bidIncrement;
        this.duration = r.duration();
        this.directTradeAvailable = Boolean.TRUE.equals(r.directTradeAvailable());
        this.deliveryAvailable = Boolean.TRUE.equals(r.deliveryAvailable());
        this.status = AuctionService.ONGOING;
        this.startTime = now;
        this.endTime = now.plus(r.duration().length);
        this.createdAt = now;
    }

    public Long getId() {
        return id;
    }
}
