package org.payrules;

/**
 * A call into payrules failed: {@link #status()} is the C ABI's status code
 * ({@link Status}), the message the library's own (its {@code payrules_error}).
 * Subclasses: {@link InvalidPolicyException}, {@link InvalidInputException}
 * (and its {@link InputErrorsException}, {@link RowErrorsException}),
 * {@link NativePanicException}.
 */
public class PayrulesException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public PayrulesException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The status code, a {@link Status} constant. */
    public int status() {
        return status;
    }

    /** The exception for a status (not OK, INPUT_ERRORS nor ROW_ERROR, which carry results). */
    static PayrulesException of(int status, String message) {
        String text = message == null || message.isEmpty() ? Status.message(status) : message;
        switch (status) {
            case Status.INVALID_POLICY:
            case Status.NO_POLICY_VERSION:
                return new InvalidPolicyException(status, text);
            case Status.PANIC:
                return new NativePanicException(status, text);
            case Status.NULL_ARGUMENT:
            case Status.INVALID_UTF8:
            case Status.INVALID_REQUEST:
            case Status.INVALID_ENUM:
            case Status.INVALID_DATE:
            case Status.INVALID_DECIMAL:
            case Status.DECIMAL_OVERFLOW:
            case Status.UNKNOWN_POSITION:
            case Status.DUPLICATE_WORKER:
            case Status.UNKNOWN_WORKER:
            case Status.INVALID_GRADE:
            case Status.INVALID_ARGUMENT:
                return new InvalidInputException(status, text);
            default:
                return new PayrulesException(status, text);
        }
    }
}
