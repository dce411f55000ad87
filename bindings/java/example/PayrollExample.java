import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.payrules.Grade;
import org.payrules.Honour;
import org.payrules.HonourLevel;
import org.payrules.InputErrorsException;
import org.payrules.Payrules;
import org.payrules.Payslip;
import org.payrules.Policy;
import org.payrules.Title;
import org.payrules.WorkerMonth;

/**
 * The example district's payroll from Java. Usage:
 *   java -cp payrules.jar:/usr/share/java/jna.jar:. PayrollExample examples/request-2026-11.json
 * prints the response document (as `payrules run` does) on stdout, and a
 * typed batch of two workers, amounts as BigDecimal, on stderr.
 */
public class PayrollExample {
    public static void main(String[] args) throws Exception {
        System.err.println("payrules " + Payrules.version());
        try (Policy policy = Policy.builtin()) {
            // 1. A whole run: the JSON documents of `payrules run`, amounts as strings ("70800.00").
            String request = Files.readString(Path.of(args[0]));
            try {
                System.out.println(policy.run(request));
            } catch (InputErrorsException e) {
                System.out.println(e.response()); // "complete": false, every error listed
                System.exit(2);
            }

            // 2. The typed monthly batch: grades decided by HR, amounts as BigDecimal.
            List<WorkerMonth> rows = List.of(
                    new WorkerMonth("W001", "温泉社区", "community_worker", Title.SOCIAL_WORKER, Grade.GOOD,
                            LocalDate.of(2020, 3, 1)),
                    new WorkerMonth("W002", "温泉社区", "社区书记", Title.ASSISTANT_SOCIAL_WORKER, Grade.PASS,
                            LocalDate.of(2016, 2, 1)));
            List<Honour> honours = List.of(
                    new Honour("W002", HonourLevel.PROVINCIAL, LocalDate.of(2026, 11, 20), "防汛"));
            List<Payslip> slips = policy.monthlyBatch(2026, 11, rows, honours);
            BigDecimal total = BigDecimal.ZERO;
            for (int i = 0; i < slips.size(); i++) {
                Payslip s = slips.get(i);
                System.err.println(rows.get(i).workerId() + " gross " + s.gross() + " (base " + s.basePay()
                        + ", bonus " + s.monthlyBonus() + ", honour " + s.honourAward() + ")");
                total = total.add(s.gross());
            }
            System.err.println("total " + total);
        }
    }
}
