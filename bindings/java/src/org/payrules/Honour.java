package org.payrules;

import java.time.LocalDate;
import java.util.Objects;

/**
 * An honour (先进称号), paid by the batch of the month it was awarded in.
 * {@code deed} may be null (a deed of its own); one deed honoured at several
 * levels is paid once, at the highest.
 */
public record Honour(String workerId, HonourLevel level, LocalDate awardedOn, String deed) {
    public Honour {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(awardedOn, "awardedOn");
    }
}
