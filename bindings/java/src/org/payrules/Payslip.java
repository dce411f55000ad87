package org.payrules;

import java.math.BigDecimal;

/**
 * One row's result from {@link Policy#monthlyBatch}. Amounts are exact
 * {@link BigDecimal}s with two decimals (yuan); {@code gross} is the sum of
 * the other six. When {@code status} is not {@link Status#OK} the row was
 * not paid and every amount is zero; {@code employed} is false for a worker
 * not employed on any day of the month.
 */
public record Payslip(
        int status,
        boolean employed,
        BigDecimal basePay,
        BigDecimal livingAllowance,
        BigDecimal postAllowance,
        BigDecimal titleAllowance,
        BigDecimal monthlyBonus,
        BigDecimal honourAward,
        BigDecimal gross) {}
