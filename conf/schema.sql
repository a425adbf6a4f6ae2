-- FairBid's relational store. bid_id is UNIQUE: a message processed twice stores one row.
CREATE TABLE IF NOT EXISTS bid (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  bid_id VARCHAR(64) NOT NULL,
  auction_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  amount BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  stream_id VARCHAR(32) NOT NULL,
  consumer VARCHAR(64) NOT NULL,
  stored_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_bid_id (bid_id),
  KEY ix_auction (auction_id)
) ENGINE=InnoDB;
