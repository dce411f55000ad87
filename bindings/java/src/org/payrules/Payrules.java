package org.payrules;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;

/**
 * payrules from Java: the C ABI of libpayrules through JNA.
 *
 * <p>{@link #run(String)} runs a whole JSON request under the built-in policy
 * (or the request's own {@code policy} text); {@link Policy} holds a policy for
 * repeated runs and the typed monthly batch. Every native string and error
 * is freed before a call returns; a {@link Policy} may be shared by threads.
 */
public final class Payrules {
    private Payrules() {}

    static final NativeLib LIB;

    static {
        LIB = NativeLib.INSTANCE;
        int status = LIB.payrules_check_abi(Status.ABI_VERSION);
        if (status != Status.OK) {
            throw new UnsatisfiedLinkError(
                    "payrules: the loaded library has ABI version " + LIB.payrules_abi_version()
                            + ", these bindings were written for " + Status.ABI_VERSION);
        }
    }

    /** The library's version, such as {@code "0.1.0"}. */
    public static String version() {
        return LIB.payrules_version();
    }

    /** The loaded library's ABI version ({@code payrules_abi_version}). */
    public static int abiVersion() {
        return LIB.payrules_abi_version();
    }

    /**
     * Runs a request document under the built-in policy (or the request's
     * own {@code policy}); see {@link Policy#run(String)}.
     */
    public static String run(String requestJson) {
        return runJson(null, requestJson, true);
    }

    /** As {@link #run(String)}, returning the response also when it lists input errors. */
    public static String run(String requestJson, boolean strict) {
        return runJson(null, requestJson, strict);
    }

    static String runJson(Pointer policy, String requestJson, boolean strict) {
        if (requestJson == null) {
            throw new NullPointerException("requestJson");
        }
        byte[] request = requestJson.getBytes(StandardCharsets.UTF_8);
        PointerByReference response = new PointerByReference();
        Memory responseLen = new Memory(Native.SIZE_T_SIZE);
        PointerByReference err = new PointerByReference();
        int status = LIB.payrules_run_json(
                policy, request, new NativeLib.SizeT(request.length), response, responseLen, err);
        String message = takeError(err);
        String text = null;
        Pointer p = response.getValue();
        if (p != null) {
            try {
                long n = readSize(responseLen);
                text = new String(p.getByteArray(0, Math.toIntExact(n)), StandardCharsets.UTF_8);
            } finally {
                LIB.payrules_string_free(p);
            }
        }
        if (status == Status.OK) {
            return text;
        }
        if (status == Status.INPUT_ERRORS) {
            if (!strict) {
                return text;
            }
            throw new InputErrorsException(message, text);
        }
        throw PayrulesException.of(status, message);
    }

    static long readSize(Memory m) {
        return Native.SIZE_T_SIZE == 8 ? m.getLong(0) : m.getInt(0) & 0xffffffffL;
    }

    /** The message of {@code *err} (null when there is none), and frees it. */
    static String takeError(PointerByReference err) {
        Pointer e = err.getValue();
        if (e == null) {
            return null;
        }
        try {
            Memory needed = new Memory(Native.SIZE_T_SIZE);
            byte[] buf = new byte[512];
            int st = LIB.payrules_error_message(e, buf, new NativeLib.SizeT(buf.length), needed);
            if (st == Status.BUFFER_TOO_SMALL) {
                buf = new byte[Math.toIntExact(readSize(needed))];
                st = LIB.payrules_error_message(e, buf, new NativeLib.SizeT(buf.length), needed);
            }
            if (st != Status.OK) {
                return Status.message(LIB.payrules_error_status(e));
            }
            return cString(buf);
        } finally {
            LIB.payrules_error_free(e);
        }
    }

    /** The NUL-terminated UTF-8 string at the start of {@code buf}. */
    static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }
}
