"""MySQL persistence of bids, idempotent by the UNIQUE bid_id."""
from __future__ import annotations

import pymysql

from fairbid.settings import Settings

INSERT_BID = (
    "INSERT INTO bid (bid_id, auction_id, user_id, amount, created_at_ms, stream_id, consumer) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
DUPLICATE_ENTRY = 1062


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

    def save(self, bid: dict[str, str], stream_id: str, consumer: str) -> bool:
        """Commit the bid; True if inserted, False if it was there already. Raises pymysql errors
        (after dropping the connection) when MySQL cannot take it, so the message stays pending."""
        conn = self._connection()
        try:
            with conn.cursor() as cur:
                cur.execute(INSERT_BID, (bid["bidId"], bid["auctionId"], bid["userId"], int(bid["amount"]),
                                         int(bid["createdAt"]), stream_id, consumer))
            conn.commit()
            return True
        except pymysql.err.IntegrityError as exc:
            conn.rollback()
            if exc.args and exc.args[0] == DUPLICATE_ENTRY:
                return False
            raise
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
