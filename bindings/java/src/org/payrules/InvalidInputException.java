package org.payrules;

/** Bad input: a request that is not a run document, a bad period, date, grade, position… */
public class InvalidInputException extends PayrulesException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(int status, String message) {
        super(status, message);
    }
}
