package org.payrules;

import com.sun.jna.IntegerType;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The C ABI of payrules ({@code include/payrules.h}) as JNA sees it. Only
 * the functions the Java classes use are declared; the structures mirror the
 * header's field for field.
 */
interface NativeLib extends Library {
    /** {@code size_t}. */
    final class SizeT extends IntegerType {
        private static final long serialVersionUID = 1L;

        public SizeT() {
            this(0);
        }

        public SizeT(long value) {
            super(Native.SIZE_T_SIZE, value, true);
        }
    }

    /** {@code payrules_date}: {0, 0, 0} is "none". */
    @Structure.FieldOrder({"year", "month", "day"})
    class CDate extends Structure {
        public int year;
        public int month;
        public int day;

        public static class ByValue extends CDate implements Structure.ByValue {}
    }

    /** {@code payrules_decimal}: mantissa × 10^-scale. */
    @Structure.FieldOrder({"mantissa", "scale"})
    class CDecimal extends Structure {
        public long mantissa;
        public int scale;
    }

    @Structure.FieldOrder({
        "worker_id", "unit", "position", "title", "grade", "hired_on", "left_on", "probation_until"
    })
    class CWorkerMonth extends Structure {
        public Pointer worker_id;
        public Pointer unit;
        public Pointer position;
        public int title;
        public int grade;
        public CDate hired_on;
        public CDate left_on;
        public CDate probation_until;
    }

    @Structure.FieldOrder({"worker_id", "level", "awarded_on", "deed"})
    class CHonour extends Structure {
        public Pointer worker_id;
        public int level;
        public CDate awarded_on;
        public Pointer deed;
    }

    @Structure.FieldOrder({
        "status", "employed", "base_pay", "living_allowance", "post_allowance", "title_allowance",
        "monthly_bonus", "honour_award", "gross"
    })
    class CPayslip extends Structure {
        public int status;
        public int employed;
        public CDecimal base_pay;
        public CDecimal living_allowance;
        public CDecimal post_allowance;
        public CDecimal title_allowance;
        public CDecimal monthly_bonus;
        public CDecimal honour_award;
        public CDecimal gross;
    }

    /**
     * The library: the system property {@code payrules.library} (a path or a
     * name), else {@code payrules} found by JNA ({@code jna.library.path},
     * {@code LD_LIBRARY_PATH}, the linker's cache).
     */
    NativeLib INSTANCE = Native.load(
            System.getProperty("payrules.library", "payrules"),
            NativeLib.class,
            Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    String payrules_version();

    int payrules_abi_version();

    int payrules_check_abi(int headerAbiVersion);

    String payrules_status_message(int status);

    int payrules_error_status(Pointer err);

    int payrules_error_message(Pointer err, byte[] buf, SizeT len, Pointer needed);

    void payrules_error_free(Pointer err);

    void payrules_string_free(Pointer s);

    int payrules_policy_builtin(PointerByReference out);

    int payrules_policy_from_toml(byte[] text, SizeT len, PointerByReference out, PointerByReference err);

    void payrules_policy_free(Pointer policy);

    int payrules_policy_id(Pointer policy, byte[] buf, SizeT len, Pointer needed);

    int payrules_run_json(
            Pointer policyOrNull,
            byte[] request,
            SizeT len,
            PointerByReference response,
            Pointer responseLen,
            PointerByReference err);

    int payrules_monthly_batch(
            Pointer policy,
            int year,
            int month,
            CWorkerMonth rows,
            SizeT nRows,
            CHonour honours,
            SizeT nHonours,
            CPayslip out,
            PointerByReference err);
}
