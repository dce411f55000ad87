package org.payrules;

/** The level of an honour, 先进称号 ({@code PAYRULES_HONOUR_*}). */
public enum HonourLevel {
    MUNICIPAL(0),
    PROVINCIAL(1),
    NATIONAL(2);

    final int code;

    HonourLevel(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
