package org.payrules;

/**
 * The status codes of the C ABI ({@code PAYRULES_*} in payrules.h). Their
 * numbers never change; the Java tests compare them with the header.
 */
public final class Status {
    private Status() {}

    public static final int OK = 0;
    public static final int NULL_ARGUMENT = 1;
    public static final int INVALID_UTF8 = 2;
    public static final int INVALID_POLICY = 3;
    public static final int INVALID_REQUEST = 4;
    public static final int INVALID_ENUM = 5;
    public static final int INVALID_DATE = 6;
    public static final int INVALID_DECIMAL = 7;
    public static final int DECIMAL_OVERFLOW = 8;
    public static final int NO_POLICY_VERSION = 9;
    public static final int BUFFER_TOO_SMALL = 10;
    public static final int INPUT_ERRORS = 11;
    public static final int ROW_ERROR = 12;
    public static final int UNKNOWN_POSITION = 13;
    public static final int DUPLICATE_WORKER = 14;
    public static final int UNKNOWN_WORKER = 15;
    public static final int INVALID_GRADE = 16;
    public static final int INVALID_ARGUMENT = 17;
    public static final int ABI_MISMATCH = 18;
    public static final int PANIC = 19;
    public static final int BOOK_REFUSED = 20;
    public static final int BOOK_BUSY = 21;
    public static final int BOOK_IO = 22;

    /** The ABI version these bindings were written for ({@code PAYRULES_ABI_VERSION}). */
    public static final int ABI_VERSION = 1;

    /** The library's description of a status ({@code payrules_status_message}). */
    public static String message(int status) {
        return NativeLib.INSTANCE.payrules_status_message(status);
    }
}
