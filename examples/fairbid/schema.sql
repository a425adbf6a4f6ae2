-- FairBid's two tables, created when the MySQL container first initializes its data directory.
CREATE TABLE IF NOT EXISTS auction (
  id                     BIGINT AUTO_INCREMENT PRIMARY KEY,
  seller_id              BIGINT       NOT NULL,
  title                  VARCHAR(200) NOT NULL,
  description            TEXT,
  category               VARCHAR(50),
  start_price            BIGINT       NOT NULL,
  instant_buy_price      BIGINT,
  bid_increment          BIGINT       NOT NULL,
  duration               VARCHAR(20)  NOT NULL,
  direct_trade_available BOOLEAN      NOT NULL DEFAULT FALSE,
  delivery_available     BOOLEAN      NOT NULL DEFAULT FALSE,
  status                 VARCHAR(20)  NOT NULL,
  start_time             DATETIME(6)  NOT NULL,
  end_time               DATETIME(6)  NOT NULL,
  created_at             DATETIME(6)  NOT NULL
);

-- one row per stream entry: a redelivered entry hits the unique key and is acknowledged as stored
CREATE TABLE IF NOT EXISTS bid (
  id               BIGINT AUTO_INCREMENT PRIMARY KEY,
  auction_id       BIGINT      NOT NULL,
  bidder_id        BIGINT      NOT NULL,
  amount           BIGINT      NOT NULL,
  bid_type         VARCHAR(20) NOT NULL,
  created_at       DATETIME(6) NOT NULL,
  stream_record_id VARCHAR(64) NOT NULL,
  UNIQUE KEY uk_bid_stream_record_id (stream_record_id),
  KEY idx_bid_auction (auction_id)
);
