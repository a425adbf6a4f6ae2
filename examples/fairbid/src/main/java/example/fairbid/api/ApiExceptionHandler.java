package example.fairbid.api;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.stream.Collectors;

/**
 * Every answer in FairBid's envelope. Whatever the client got wrong (malformed JSON, a missing or
 * non-numeric header or id, an unknown bidType, a wrong media type) stays a 4xx; anything else,
 * every Redis failure included (refused, timeout, READONLY, NOREPLICAS), is a 500 that says
 * nothing about whether the bid was stored.
 */
@RestControllerAdvice
public class ApiExceptionHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(BusinessException.class)
    ResponseEntity<ApiResponse<Void>> business(BusinessException e) {
        return ResponseEntity.status(e.code.status).body(ApiResponse.fail(e.code.name(), e.getMessage()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ApiResponse<Void>> unexpected(Exception e) {
        // the root cause names the Redis error (READONLY, NOREPLICAS, a timeout) the wrapper hides
        log.error("request failed: {} ({})", e.getClass().getSimpleName(),
                NestedExceptionUtils.getMostSpecificCause(e).toString());
        // the cause's class and words (no ids, no times): a caller can tell a timeout from a refused command
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(e);
        String said = String.valueOf(cause.getMessage());
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                .body(ApiResponse.fail(ErrorCode.INTERNAL_SERVER_ERROR.name(), "internal server error: "
                        + cause.getClass().getSimpleName() + ": " + said.substring(0, Math.min(120, said.length()))));
    }

    /** Spring MVC's own request errors (all 4xx here), in the envelope instead of a problem detail. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        String code = status.value() == 400 ? ErrorCode.VALIDATION_ERROR.name()
                : HttpStatus.valueOf(status.value()).name();
        return ResponseEntity.status(status).headers(headers).body(ApiResponse.fail(code, message(e, body)));
    }

    private static String message(Exception e, Object body) {
        if (e instanceof MethodArgumentNotValidException m) {
            return m.getBindingResult().getFieldErrors().stream()
                    .map(f -> f.getField() + ": " + f.getDefaultMessage()).collect(Collectors.joining("; "));
        }
        if (body instanceof ProblemDetail p && p.getDetail() != null) {
            return p.getDetail();
        }
        if (e instanceof ErrorResponse r && r.getBody().getDetail() != null) {
            return r.getBody().getDetail();
        }
        return "invalid request";
    }
}
