"""MySQL persistence of bids, idempotent by the UNIQUE bid_id."""
from __future__ import annotations

import pymysql

from fairbid.settings import Settings

# A duplicate bid_id is a no-op (affected rows 0), so a redelivered message stores nothing twice.
INSERT_BID = (
    "INSERT INTO bid (bid_id, auction_id, user_id, amount, created_at_ms, stream_id, consumer) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON DUPLICATE KEY UPDATE bid_id = bid_id"
)


def connect(settings: Settings) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=settings.mysql_host, port=settings.mysql_port, user=settings.mysql_user,
        password=settings.mysql_password, database=settings.mysql_db,
        connect_timeout=settings.mysql_timeout_s, read_timeout=settings.mysql_timeout_s,
        write_timeout=settings.mysql_timeout_s, autocommit=False,
    )


class BidRepository:
    """Inserts a bid once; a second insert of the same bid_id is a no-op that reports False."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._conn: pymysql.connections.Connection | None = None

    def _connection(self) -> pymysql.connections.Connection:
        if self._conn is None or not self._conn.open:
            self._conn = connect(self.settings)
        return self._conn

    def save_many(self, bids: list[tuple[str, dict[str, str]]], consumer: str) -> int:
        """Commit (stream_id, bid) pairs in one transaction; returns how many were new. Raises
        pymysql errors (after dropping the connection) so the messages stay pending."""
        if not bids:
            return 0
        conn = self._connection()
        rows = [(b["bidId"], b["auctionId"], b["userId"], int(b["amount"]), int(b["createdAt"]), sid, consumer)
                for sid, b in bids]
        try:
            inserted = 0
            with conn.cursor() as cur:
                for row in rows:  # per row, so each duplicate reports 0 affected rows
                    inserted += cur.execute(INSERT_BID, row)
            conn.commit()
            return inserted
        except pymysql.MySQLError:
            self.close()
            raise

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except pymysql.MySQLError:
                pass
            self._conn = None
