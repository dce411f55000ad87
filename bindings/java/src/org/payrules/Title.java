package org.payrules;

/** A professional title ({@code PAYRULES_TITLE_*}). */
public enum Title {
    NONE(0),
    ASSISTANT_SOCIAL_WORKER(1),
    SOCIAL_WORKER(2),
    SENIOR_SOCIAL_WORKER(3);

    final int code;

    Title(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
