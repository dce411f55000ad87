package org.payrules;

/** A policy that does not parse or check, or no policy version in force on the date asked. */
public class InvalidPolicyException extends PayrulesException {
    private static final long serialVersionUID = 1L;

    public InvalidPolicyException(int status, String message) {
        super(status, message);
    }
}
