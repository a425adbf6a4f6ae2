-- The plan stack's relational store: database `plan` (MYSQL_DATABASE), table `bids`, written by
-- consumer.js. bid_id is UNIQUE: an entry delivered twice (a claim, a restart before XACK) stores one row,
-- the second insert fails with ER_DUP_ENTRY and counts as already stored (the plan's step 3, idempotency).
-- Run by the MySQL image's init (/docker-entrypoint-initdb.d) inside MYSQL_DATABASE.
CREATE TABLE IF NOT EXISTS bids (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  bid_id VARCHAR(64) NOT NULL,
  auction_id VARCHAR(64) NOT NULL,
  user_id VARCHAR(64) NOT NULL,
  amount BIGINT NOT NULL,
  created_at BIGINT NOT NULL,            -- ms since the epoch, as the API stored it
  stream_id VARCHAR(32) NOT NULL,        -- the entry of stream `bids` it came from
  consumer VARCHAR(64) NOT NULL,         -- consumer-N that stored it
  stored_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_bids_bid_id (bid_id),
  KEY ix_bids_auction (auction_id)
) ENGINE=InnoDB;
