package org.payrules;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.ref.Reference;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A pay policy (a {@code payrules_policy} handle): the built-in one or one
 * read from TOML. Immutable, and safe to share between threads: calls run at
 * the same time; {@link #close()} waits for the calls under way, and a call
 * after it throws {@link IllegalStateException}. Close it (try-with-resources)
 * to free the native handle.
 */
public final class Policy implements AutoCloseable {
    private static final NativeLib LIB = Payrules.LIB;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Pointer handle;

    private Policy(Pointer handle) {
        this.handle = handle;
    }

    /** The built-in policy (policies/gulou.toml, compiled in). */
    public static Policy builtin() {
        PointerByReference out = new PointerByReference();
        int status = LIB.payrules_policy_builtin(out);
        if (status != Status.OK) {
            throw PayrulesException.of(status, null);
        }
        return new Policy(out.getValue());
    }

    /** A policy from its TOML text; {@link InvalidPolicyException} when it does not parse or check. */
    public static Policy fromToml(String toml) {
        if (toml == null) {
            throw new NullPointerException("toml");
        }
        byte[] text = toml.getBytes(StandardCharsets.UTF_8);
        PointerByReference out = new PointerByReference();
        PointerByReference err = new PointerByReference();
        int status = LIB.payrules_policy_from_toml(text, new NativeLib.SizeT(text.length), out, err);
        String message = Payrules.takeError(err);
        if (status != Status.OK) {
            throw PayrulesException.of(status, message);
        }
        return new Policy(out.getValue());
    }

    /** Frees the native handle; waits for calls under way. Closing twice is fine. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != null) {
                LIB.payrules_policy_free(handle);
                handle = null;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Pointer enter() {
        lock.readLock().lock();
        if (handle == null) {
            lock.readLock().unlock();
            throw new IllegalStateException("payrules: the policy is closed");
        }
        return handle;
    }

    private void leave() {
        lock.readLock().unlock();
    }

    /** The policy's id, such as {@code "gulou"}. */
    public String id() {
        Pointer h = enter();
        try {
            byte[] buf = new byte[256];
            Memory needed = new Memory(Native.SIZE_T_SIZE);
            int status = LIB.payrules_policy_id(h, buf, new NativeLib.SizeT(buf.length), needed);
            if (status == Status.BUFFER_TOO_SMALL) {
                buf = new byte[Math.toIntExact(Payrules.readSize(needed))];
                status = LIB.payrules_policy_id(h, buf, new NativeLib.SizeT(buf.length), needed);
            }
            if (status != Status.OK) {
                throw PayrulesException.of(status, null);
            }
            return Payrules.cString(buf);
        } finally {
            leave();
        }
    }

    /**
     * Runs a whole request, the JSON documents of {@code payrules run}
     * (README, "The JSON documents"), under this policy unless the request
     * has its own {@code policy} text. Returns the response document exactly
     * as {@code payrules run} prints it, without the final newline; amounts
     * in it are strings ({@code "4600.00"}): read them with
     * {@code new BigDecimal(text)}. Throws {@link InputErrorsException}
     * (holding the response, which lists every error) when some input was
     * refused, another {@link PayrulesException} when the request could not
     * be run.
     */
    public String run(String requestJson) {
        return run(requestJson, true);
    }

    /** As {@link #run(String)}; with {@code strict} false, a response listing input errors is returned. */
    public String run(String requestJson, boolean strict) {
        Pointer h = enter();
        try {
            return Payrules.runJson(h, requestJson, strict);
        } finally {
            leave();
        }
    }

    /**
     * The typed monthly batch ({@code payrules_monthly_batch}): pay for
     * {@code year}-{@code month} of each row, grades as given, honours paid
     * in the month they were awarded. Returns one payslip per row. When
     * some rows or honours are refused, throws {@link RowErrorsException},
     * whose {@code payslips()} holds every row (the refused ones with their
     * status and zero amounts) and whose message names each problem.
     */
    public List<Payslip> monthlyBatch(int year, int month, List<WorkerMonth> rows, List<Honour> honours) {
        if (rows == null) {
            throw new NullPointerException("rows");
        }
        List<Honour> hs = honours == null ? List.of() : honours;
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Memory> keep = new ArrayList<>();
        NativeLib.CWorkerMonth[] cRows = (NativeLib.CWorkerMonth[]) new NativeLib.CWorkerMonth().toArray(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            WorkerMonth r = rows.get(i);
            NativeLib.CWorkerMonth c = cRows[i];
            c.worker_id = cstr(r.workerId(), keep);
            c.unit = cstr(r.unit(), keep);
            c.position = cstr(r.position(), keep);
            c.title = r.title().code;
            c.grade = r.grade().code;
            setDate(c.hired_on, r.hiredOn());
            setDate(c.left_on, r.leftOn());
            setDate(c.probation_until, r.probationUntil());
            c.write();
        }
        NativeLib.CHonour[] cHonours = null;
        if (!hs.isEmpty()) {
            cHonours = (NativeLib.CHonour[]) new NativeLib.CHonour().toArray(hs.size());
            for (int i = 0; i < hs.size(); i++) {
                Honour h = hs.get(i);
                NativeLib.CHonour c = cHonours[i];
                c.worker_id = cstr(h.workerId(), keep);
                c.level = h.level().code;
                setDate(c.awarded_on, h.awardedOn());
                c.deed = cstr(h.deed(), keep);
                c.write();
            }
        }
        NativeLib.CPayslip[] out = (NativeLib.CPayslip[]) new NativeLib.CPayslip().toArray(rows.size());
        PointerByReference err = new PointerByReference();
        int status;
        Pointer h = enter();
        try {
            status = LIB.payrules_monthly_batch(
                    h,
                    year,
                    month,
                    cRows[0],
                    new NativeLib.SizeT(rows.size()),
                    cHonours == null ? null : cHonours[0],
                    new NativeLib.SizeT(hs.size()),
                    out[0],
                    err);
        } finally {
            leave();
            Reference.reachabilityFence(keep);
            Reference.reachabilityFence(cRows);
            Reference.reachabilityFence(cHonours);
        }
        String message = Payrules.takeError(err);
        if (status != Status.OK && status != Status.ROW_ERROR) {
            throw PayrulesException.of(status, message);
        }
        List<Payslip> slips = new ArrayList<>(out.length);
        for (NativeLib.CPayslip s : out) {
            s.read();
            slips.add(new Payslip(
                    s.status,
                    s.employed != 0,
                    amount(s.base_pay),
                    amount(s.living_allowance),
                    amount(s.post_allowance),
                    amount(s.title_allowance),
                    amount(s.monthly_bonus),
                    amount(s.honour_award),
                    amount(s.gross)));
        }
        slips = Collections.unmodifiableList(slips);
        if (status == Status.ROW_ERROR) {
            throw new RowErrorsException(message, slips);
        }
        return slips;
    }

    private static BigDecimal amount(NativeLib.CDecimal d) {
        return BigDecimal.valueOf(d.mantissa, d.scale);
    }

    private static void setDate(NativeLib.CDate c, LocalDate d) {
        if (d != null) {
            c.year = d.getYear();
            c.month = d.getMonthValue();
            c.day = d.getDayOfMonth();
        }
    }

    /** A NUL-terminated UTF-8 copy of {@code s} (null for null), kept alive in {@code keep}. */
    private static Pointer cstr(String s, List<Memory> keep) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        keep.add(m);
        return m;
    }
}
