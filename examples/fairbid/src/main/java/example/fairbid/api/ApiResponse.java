package example.fairbid.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.LocalDateTime;

/** FairBid's envelope: {"success": true, "data": ..., "serverTime"} or {"success": false, "error": ...}. */
@JsonInclude(JsonInclude.Include.NON_NULL) // only on the envelope: a null inside data (the bid's id) stays
public record ApiResponse<T>(boolean success, T data, Error error, LocalDateTime serverTime) {

    public record Error(String code, String message) {
    }

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(true, data, null, LocalDateTime.now());
    }

    public static ApiResponse<Void> fail(String code, String message) {
        return new ApiResponse<>(false, null, new Error(code, message), LocalDateTime.now());
    }
}
