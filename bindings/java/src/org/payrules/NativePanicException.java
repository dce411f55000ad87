package org.payrules;

/** {@code PAYRULES_PANIC}: a bug in payrules, caught at the C boundary. Please report it. */
public class NativePanicException extends PayrulesException {
    private static final long serialVersionUID = 1L;

    public NativePanicException(int status, String message) {
        super(status, message);
    }
}
