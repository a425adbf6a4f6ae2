package example.fairbid.api;

import org.springframework.http.HttpStatus;

/** FairBid's error codes and the status each is answered with. */
public enum ErrorCode {
    AUCTION_NOT_FOUND(HttpStatus.NOT_FOUND),
    BID_TOO_LOW(HttpStatus.BAD_REQUEST),
    AUCTION_ENDED(HttpStatus.BAD_REQUEST),
    VALIDATION_ERROR(HttpStatus.BAD_REQUEST),
    SELF_BID_NOT_ALLOWED(HttpStatus.FORBIDDEN),
    INTERNAL_SERVER_ERROR(HttpStatus.INTERNAL_SERVER_ERROR);

    public final HttpStatus status;

    ErrorCode(HttpStatus status) {
        this.status = status;
    }
}
