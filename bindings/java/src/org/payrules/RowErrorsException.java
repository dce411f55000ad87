package org.payrules;

import java.util.List;

/**
 * {@code PAYRULES_ROW_ERROR}: some rows or honours of a monthly batch were
 * refused; the others were paid. {@link #payslips()} holds every row's
 * result, a refused row with its own status and zero amounts.
 */
public class RowErrorsException extends InvalidInputException {
    private static final long serialVersionUID = 1L;
    private final transient List<Payslip> payslips;

    public RowErrorsException(String message, List<Payslip> payslips) {
        super(Status.ROW_ERROR, message);
        this.payslips = payslips;
    }

    /** One payslip per row, in the rows' order. */
    public List<Payslip> payslips() {
        return payslips;
    }
}
