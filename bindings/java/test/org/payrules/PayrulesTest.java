package org.payrules;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java tests of payrules, with no test framework: {@code java
 * org.payrules.PayrulesTest REPO} runs each test, prints {@code ok} or
 * {@code FAIL} with the reason, closes with "PayrulesTest: N passed, M failed"
 * and exits 1 on any failure. REPO is the repository (for Cargo.toml,
 * include/payrules.h, tests/golden and policies).
 */
public final class PayrulesTest {
    private static Path repo;
    private static int passed;
    private static int failed;

    interface Body {
        void run() throws Exception;
    }

    public static void main(String[] args) {
        repo = Path.of(args.length > 0 ? args[0] : "../..").toAbsolutePath().normalize();
        test("version and ABI agree with Cargo.toml", PayrulesTest::version);
        test("status codes agree with payrules.h", PayrulesTest::statusCodes);
        test("golden requests: run() byte for byte", PayrulesTest::golden);
        test("input errors: InputErrorsException with the response", PayrulesTest::inputErrors);
        test("bad requests map to exceptions", PayrulesTest::badRequests);
        test("policy: builtin, fromToml, close", PayrulesTest::policies);
        test("typed monthly batch: BigDecimal amounts", PayrulesTest::batch);
        test("typed monthly batch: refused rows", PayrulesTest::batchRowErrors);
        test("threads share one policy", PayrulesTest::threads);
        test("many runs: native strings and errors freed", PayrulesTest::noLeak);
        System.out.println("PayrulesTest: " + passed + " passed, " + failed + " failed");
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void test(String name, Body body) {
        try {
            body.run();
            passed++;
            System.out.println("  ok   " + name);
        } catch (Throwable t) {
            failed++;
            System.out.println("  FAIL " + name + ": " + t);
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().startsWith("org.payrules")) {
                    System.out.println("         at " + e);
                }
            }
        }
    }

    private static void check(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    private static void equal(Object got, Object want, String what) {
        if (!want.equals(got)) {
            throw new AssertionError(what + ": got " + got + ", want " + want);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static String withoutFinalNewline(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    // ---- tests

    static void version() throws IOException {
        Matcher m = Pattern.compile("(?m)^version = \"([^\"]+)\"").matcher(read(repo.resolve("Cargo.toml")));
        check(m.find(), "version in Cargo.toml");
        equal(Payrules.version(), m.group(1), "payrules_version()");
        equal(Payrules.abiVersion(), Status.ABI_VERSION, "payrules_abi_version()");
    }

    static void statusCodes() throws Exception {
        String header = read(repo.resolve("include/payrules.h"));
        int n = 0;
        for (Field f : Status.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) {
                continue;
            }
            String name = "PAYRULES_" + f.getName();
            Matcher m = Pattern.compile("(?m)^#define " + name + " (\\d+)$").matcher(header);
            check(m.find(), name + " is in payrules.h");
            equal(f.getInt(null), Integer.parseInt(m.group(1)), name);
            n++;
        }
        Matcher all = Pattern.compile("(?m)^#define PAYRULES_([A-Z_0-9]+) (\\d+)$").matcher(header);
        while (all.find()) {
            String name = all.group(1);
            boolean statusLike = !name.startsWith("GRADE_") && !name.startsWith("TITLE_")
                    && !name.startsWith("HONOUR_") && !name.startsWith("VERSION_")
                    && !name.equals("DECIMAL_STRING_MAX");
            if (statusLike) {
                check(hasField(name), "Status." + name + " (new in payrules.h)");
            }
        }
        check(n >= 23, "status codes: " + n);
        for (Grade g : Grade.values()) {
            check(header.contains("#define PAYRULES_GRADE_" + g.name() + " " + g.code + "\n"), "grade " + g);
        }
        for (Title t : Title.values()) {
            check(header.contains("#define PAYRULES_TITLE_" + t.name() + " " + t.code + "\n"), "title " + t);
        }
        for (HonourLevel h : HonourLevel.values()) {
            check(header.contains("#define PAYRULES_HONOUR_" + h.name() + " " + h.code + "\n"), "honour " + h);
        }
        equal(Status.message(Status.OK).isEmpty(), false, "status message");
    }

    private static boolean hasField(String name) {
        try {
            Status.class.getField(name);
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    private static List<Path> goldenRequests() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(repo.resolve("tests/golden"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".request.json")).sorted().forEach(out::add);
        }
        check(out.size() >= 4, "golden cases under tests/golden: " + out.size());
        return out;
    }

    private static Path responseOf(Path request) {
        String name = request.getFileName().toString().replace(".request.json", ".response.json");
        return request.resolveSibling(name);
    }

    static void golden() throws IOException {
        try (Policy policy = Policy.builtin()) {
            for (Path req : goldenRequests()) {
                String request = read(req);
                String want = withoutFinalNewline(read(responseOf(req)));
                equal(Payrules.run(request, false), want, req.getFileName() + " (built-in, no handle)");
                equal(policy.run(request, false), want, req.getFileName() + " (Policy.builtin())");
            }
        }
        String example = read(repo.resolve("tests/golden/monthly-example.request.json"));
        String response = Payrules.run(example);
        check(response.contains("\"gross\": \"70800.00\""), "the example's total gross 70800.00");
        check(response.contains("\"complete\": true"), "complete");
    }

    static void inputErrors() throws IOException {
        Path req = repo.resolve("tests/golden/errors.request.json");
        String want = withoutFinalNewline(read(responseOf(req)));
        try {
            Payrules.run(read(req));
            throw new AssertionError("no InputErrorsException");
        } catch (InputErrorsException e) {
            equal(e.status(), Status.INPUT_ERRORS, "status");
            equal(e.response(), want, "the response held by the exception");
            check(e.getMessage() != null && !e.getMessage().isEmpty(), "a message: " + e.getMessage());
        }
    }

    static void badRequests() {
        try {
            Payrules.run("{\"kind\": \"monthly\"");
            throw new AssertionError("malformed JSON accepted");
        } catch (InvalidInputException e) {
            equal(e.status(), Status.INVALID_REQUEST, "malformed JSON");
            check(!(e instanceof InputErrorsException), "not input errors");
        }
        try {
            Payrules.run("{\"kind\": \"monthly\", \"period\": \"2026-13\", \"workers\": []}");
            throw new AssertionError("month 13 accepted");
        } catch (PayrulesException e) {
            check(e.status() == Status.INVALID_REQUEST || e.status() == Status.INVALID_DATE,
                    "period 2026-13: status " + e.status() + " " + e.getMessage());
        }
    }

    static void policies() throws IOException {
        String toml = read(repo.resolve("policies/gulou.toml"));
        String request = read(repo.resolve("tests/golden/monthly-example.request.json"));
        Policy p = Policy.fromToml(toml);
        equal(p.id(), "gulou", "policy id");
        try (Policy builtin = Policy.builtin()) {
            equal(p.run(request), builtin.run(request), "gulou.toml runs as the built-in policy");
        }
        p.close();
        p.close();
        try {
            p.run(request);
            throw new AssertionError("a closed policy ran");
        } catch (IllegalStateException expected) {
            // fine
        }
        try {
            Policy.fromToml("id = [");
            throw new AssertionError("bad TOML accepted");
        } catch (InvalidPolicyException e) {
            equal(e.status(), Status.INVALID_POLICY, "bad TOML");
            check(e.getMessage().length() > 10, "message: " + e.getMessage());
        }
    }

    private static BigDecimal yuan(String s) {
        return new BigDecimal(s);
    }

    private static List<WorkerMonth> rows() {
        LocalDate hired = LocalDate.of(2020, 3, 1);
        List<WorkerMonth> rows = new ArrayList<>();
        // 2200 + 600 + 300 + 400 + 1100 = 4600.00
        rows.add(new WorkerMonth("W001", "温泉社区", "community_worker", Title.SOCIAL_WORKER, Grade.GOOD, hired));
        // secretary by its Chinese name: 2600 + 600 + 600 + 200 + 900 + provincial honour 5000
        rows.add(new WorkerMonth("W002", "温泉社区", "社区书记", Title.ASSISTANT_SOCIAL_WORKER, Grade.PASS,
                LocalDate.of(2016, 2, 1)));
        // hired on the 16th: 15/30 of everything: 1100 + 300 + 150 + 300 + 450
        rows.add(new WorkerMonth("W003", "温泉社区", "community_worker", Title.SENIOR_SOCIAL_WORKER, Grade.PASS,
                LocalDate.of(2026, 11, 16)));
        // left before the month: not employed
        rows.add(new WorkerMonth("W004", null, "community_worker", Title.NONE, Grade.PASS, hired,
                LocalDate.of(2026, 10, 31), null));
        return rows;
    }

    private static List<Honour> honours() {
        return List.of(
                new Honour("W002", HonourLevel.MUNICIPAL, LocalDate.of(2026, 11, 5), "防汛"),
                new Honour("W002", HonourLevel.PROVINCIAL, LocalDate.of(2026, 11, 20), "防汛"),
                new Honour("W002", HonourLevel.NATIONAL, LocalDate.of(2026, 10, 1), null));
    }

    static void batch() {
        try (Policy policy = Policy.builtin()) {
            List<Payslip> s = policy.monthlyBatch(2026, 11, rows(), honours());
            equal(s.size(), 4, "payslips");
            Payslip w1 = s.get(0);
            equal(w1.status(), Status.OK, "W001 status");
            check(w1.employed(), "W001 employed");
            equal(w1.basePay(), yuan("2200.00"), "W001 base");
            equal(w1.livingAllowance(), yuan("600.00"), "W001 living");
            equal(w1.postAllowance(), yuan("300.00"), "W001 post");
            equal(w1.titleAllowance(), yuan("400.00"), "W001 title");
            equal(w1.monthlyBonus(), yuan("1100.00"), "W001 bonus");
            equal(w1.honourAward(), yuan("0.00"), "W001 honour");
            equal(w1.gross(), yuan("4600.00"), "W001 gross (BigDecimal.equals: value and scale 2)");
            Payslip w2 = s.get(1);
            equal(w2.basePay(), yuan("2600.00"), "W002 base");
            equal(w2.honourAward(), yuan("5000.00"), "W002 honour, paid once at the highest level");
            equal(w2.gross(), yuan("9900.00"), "W002 gross");
            Payslip w3 = s.get(2);
            equal(w3.basePay(), yuan("1100.00"), "W003 base");
            equal(w3.monthlyBonus(), yuan("450.00"), "W003 bonus");
            equal(w3.gross(), yuan("2300.00"), "W003 gross");
            Payslip w4 = s.get(3);
            equal(w4.status(), Status.OK, "W004 status");
            check(!w4.employed(), "W004 not employed");
            equal(w4.gross(), yuan("0.00"), "W004 gross");
            for (Payslip p : s) {
                BigDecimal sum = p.basePay().add(p.livingAllowance()).add(p.postAllowance())
                        .add(p.titleAllowance()).add(p.monthlyBonus()).add(p.honourAward());
                equal(sum, p.gross(), "gross is the sum of the lines");
            }
            equal(policy.monthlyBatch(2026, 11, List.of(), null), List.of(), "no rows");
        }
    }

    static void batchRowErrors() {
        try (Policy policy = Policy.builtin()) {
            List<WorkerMonth> rows = new ArrayList<>(rows());
            rows.add(new WorkerMonth("W006", "温泉社区", "mayor", Title.NONE, Grade.PASS, LocalDate.of(2020, 3, 1)));
            rows.add(new WorkerMonth("W001", "温泉社区", "community_worker", Title.NONE, Grade.PASS,
                    LocalDate.of(2020, 3, 1)));
            try {
                policy.monthlyBatch(2026, 11, rows, honours());
                throw new AssertionError("no RowErrorsException");
            } catch (RowErrorsException e) {
                equal(e.status(), Status.ROW_ERROR, "status");
                List<Payslip> s = e.payslips();
                equal(s.size(), 6, "every row has a payslip");
                equal(s.get(0).status(), Status.DUPLICATE_WORKER, "W001 twice (first)");
                equal(s.get(5).status(), Status.DUPLICATE_WORKER, "W001 twice (second)");
                equal(s.get(4).status(), Status.UNKNOWN_POSITION, "mayor");
                equal(s.get(4).gross(), yuan("0.00"), "a refused row is zero");
                equal(s.get(1).gross(), yuan("9900.00"), "the others are paid");
                check(e.getMessage().contains("not paid"), "message: " + e.getMessage());
            }
            try {
                policy.monthlyBatch(2026, 13, rows(), null);
                throw new AssertionError("month 13 accepted");
            } catch (RowErrorsException e) {
                throw new AssertionError("month 13 is not a row error");
            } catch (PayrulesException e) {
                check(e.status() != Status.OK, "month 13: " + e.status());
            }
        }
    }

    static void threads() throws Exception {
        List<Path> requests = goldenRequests();
        List<String> texts = new ArrayList<>();
        List<String> wants = new ArrayList<>();
        for (Path r : requests) {
            texts.add(read(r));
            wants.add(withoutFinalNewline(read(responseOf(r))));
        }
        int threads = 8;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try (Policy policy = Policy.builtin()) {
            List<Payslip> single = policy.monthlyBatch(2026, 11, rows(), honours());
            for (int t = 0; t < threads; t++) {
                final int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int checks = 0;
                    for (int i = 0; i < rounds; i++) {
                        int k = (id + i) % texts.size();
                        equal(policy.run(texts.get(k), false), wants.get(k), "thread " + id + " run " + i);
                        equal(policy.monthlyBatch(2026, 11, rows(), honours()), single, "thread " + id + " batch " + i);
                        checks += 2;
                    }
                    return checks;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            equal(total, threads * rounds * 2, "checks done by the threads");
        } finally {
            pool.shutdown();
        }
    }

    /** Many calls that allocate native strings and errors; the resident size must not grow with them. */
    static void noLeak() throws IOException {
        String ok = read(repo.resolve("tests/golden/monthly-example.request.json"));
        String bad = read(repo.resolve("tests/golden/errors.request.json"));
        try (Policy policy = Policy.builtin()) {
            for (int i = 0; i < 300; i++) {
                policy.run(ok);
                policy.run(bad, false);
            }
            long before = rss();
            for (int i = 0; i < 5000; i++) {
                policy.run(ok);
                try {
                    policy.run(bad);
                } catch (InputErrorsException expected) {
                    // the error and the response are freed either way
                }
            }
            System.gc();
            long after = rss();
            // Leaking 5000 × (a 20 kB response + a 2 kB response and its error) would be > 100 MB;
            // the Java heap is fixed and pre-touched by scripts/test-java.sh.
            check(before <= 0 || after - before < 40L * 1024 * 1024,
                    "resident size grew by " + (after - before) / 1024 + " kB");
        }
    }

    private static long rss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
