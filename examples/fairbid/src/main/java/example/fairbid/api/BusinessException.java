package example.fairbid.api;

/** A refusal the client caused (a 4xx with one of FairBid's codes). */
public class BusinessException extends RuntimeException {
    public final ErrorCode code;

    public BusinessException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }
}
