package example.fairbid.stream;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

import java.time.LocalDateTime;

/** A bid's row in MySQL (table bid), one per stream entry: stream_record_id is unique. */
@Entity
class Bid {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;
    Long auctionId;
    Long bidderId;
    Long amount;
    String bidType;
    LocalDateTime createdAt;
    @Column(unique = true)
    String streamRecordId;

    protected Bid() {
    }

    Bid(long auctionId, long bidderId, long amount, String bidType, LocalDateTime createdAt, String streamRecordId) {
        this.auctionId = auctionId;
        this.bidderId = bidderId;
        this.amount = amount;
        this.bidType = bidType;
        this.createdAt = createdAt;
        this.streamRecordId = streamRecordId;
    }
}
