package org.payrules;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One worker's month, a row of {@link Policy#monthlyBatch}: the grade is
 * the one HR decided. {@code unit}, {@code leftOn} and {@code probationUntil}
 * may be null.
 */
public record WorkerMonth(
        String workerId,
        String unit,
        String position,
        Title title,
        Grade grade,
        LocalDate hiredOn,
        LocalDate leftOn,
        LocalDate probationUntil) {
    public WorkerMonth {
        Objects.requireNonNull(workerId, "workerId");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(grade, "grade");
        Objects.requireNonNull(hiredOn, "hiredOn");
    }

    /** A worker employed all along, not on probation. */
    public WorkerMonth(String workerId, String unit, String position, Title title, Grade grade, LocalDate hiredOn) {
        this(workerId, unit, position, title, grade, hiredOn, null, null);
    }
}
