package org.payrules;

/**
 * {@code PAYRULES_INPUT_ERRORS}: the run went ahead for everyone else; the
 * response document ({@code "complete": false}, every error listed) is
 * {@link #response()}.
 */
public class InputErrorsException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final String response;

    public InputErrorsException(String message, String response) {
        super(Status.INPUT_ERRORS, message);
        this.response = response;
    }

    /** The response document, exactly as {@code payrules run} prints it (no final newline). */
    public String response() {
        return response;
    }
}
