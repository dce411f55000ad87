package org.payrules;

/** A month's grade ({@code PAYRULES_GRADE_*}). */
public enum Grade {
    UNGRADED(0),
    FAIL(1),
    PASS(2),
    GOOD(3),
    EXCELLENT(4);

    final int code;

    Grade(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
