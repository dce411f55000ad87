/*
 * A small payroll for 2026-11 through the payrules C ABI: the typed batch,
 * a JSON run of the same workers, single amounts, and (given files on the
 * command line) JSON runs compared byte for byte with expected responses.
 *
 * Usage: payroll [REQUEST.json EXPECTED.json]...
 * The amounts asserted below are worked from the built-in policy
 * (policies/gulou.toml): community_worker 2200 + 600 + 300, community_secretary
 * 2600 + 600 + 600, titles 0/200/400/600, monthly bonus 900/1100/1300,
 * honours 3000/5000/10000, calendar-day proration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The value of the first `"gross": "…"` after `"worker_id": "<id>"` in a response. */
static int gross_of(const char *json, const char *id, char *out, size_t len) {
    char key[64];
    const char *p;
    const char *q;
    snprintf(key, sizeof key, "\"worker_id\": \"%s\"", id);
    p = strstr(json, key);
    if (p == NULL) return 0;
    p = strstr(p, "\"gross\": \"");
    if (p == NULL) return 0;
    p += strlen("\"gross\": \"");
    q = strchr(p, '"');
    if (q == NULL || (size_t)(q - p) >= len) return 0;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 1;
}

static void batch_and_json(const payrules_policy *policy) {
    payrules_worker_month rows[11];
    payrules_honour honours[3];
    payrules_payslip out[11];
    payrules_error *err = NULL;
    char *msg;
    size_t i;
    const char *ids[] = {"W001", "W002", "W003", "W004", "W005", "W006",
                         "W007", "W007", "W008", "W009", "W010"};
    memset(rows, 0, sizeof rows);
    for (i = 0; i < 11; i++) {
        rows[i].worker_id = ids[i];
        rows[i].unit = "温泉社区";
        rows[i].position = "community_worker";
        rows[i].title = PAYRULES_TITLE_NONE;
        rows[i].grade = PAYRULES_GRADE_PASS;
        rows[i].hired_on = date(2020, 3, 1);
    }
    /* W001: full month, social worker, good: 2200 + 600 + 300 + 400 + 1100 = 4600.00 */
    rows[0].title = PAYRULES_TITLE_SOCIAL_WORKER;
    rows[0].grade = PAYRULES_GRADE_GOOD;
    /* W002: secretary (Chinese name), assistant title, pass, provincial honour for a deed
       also honoured at municipal level (paid once, the highest): 2600+600+600+200+900+5000 */
    rows[1].position = "社区书记";
    rows[1].title = PAYRULES_TITLE_ASSISTANT_SOCIAL_WORKER;
    rows[1].hired_on = date(2016, 2, 1);
    /* W003: hired on the 16th, senior title, pass: 15/30 of 2200, 600, 300, 600, 900 */
    rows[2].title = PAYRULES_TITLE_SENIOR_SOCIAL_WORKER;
    rows[2].hired_on = date(2026, 11, 16);
    /* W004: left before the month: not employed, OK, zero */
    rows[3].left_on = date(2026, 10, 31);
    rows[4].grade = 99;                 /* W005: bad grade */
    rows[5].position = "mayor";         /* W006: unknown position */
    /* rows 6 and 7: W007 twice */
    rows[8].probation_until = date(2026, 12, 31); /* W008: graded on probation */
    /* W009: on probation until the month's last day, ungraded: 2200 + 600 + 300 */
    rows[9].grade = PAYRULES_GRADE_UNGRADED;
    rows[9].hired_on = date(2026, 9, 1);
    rows[9].probation_until = date(2026, 11, 30);
    rows[10].hired_on = date(2026, 2, 30); /* W010: no such day */

    honours[0].worker_id = "W002";
    honours[0].level = PAYRULES_HONOUR_MUNICIPAL;
    honours[0].awarded_on = date(2026, 11, 5);
    honours[0].deed = "防汛";
    honours[1] = honours[0];
    honours[1].level = PAYRULES_HONOUR_PROVINCIAL;
    honours[1].awarded_on = date(2026, 11, 20);
    honours[2].worker_id = "W002"; /* another month: not paid by this batch */
    honours[2].level = PAYRULES_HONOUR_NATIONAL;
    honours[2].awarded_on = date(2026, 10, 1);
    honours[2].deed = NULL;

        CHECK_STATUS(payrules_monthly_batch(policy, 2026, 11, rows, 11, honours, 3, out, &err),
                 PAYRULES_ROW_ERROR);
    msg = error_text(err);
    CHECK(msg != NULL && strstr(msg, "6 of 11 row(s) not paid") != NULL);
    CHECK(msg != NULL && strstr(msg, "rows[4] (worker W005): grade: 99 is not a valid number") != NULL);
    CHECK(msg != NULL && strstr(msg, "rows[10] (worker W010): hired_on: 2026-02-30 is not a date") != NULL);
    free(msg);
    payrules_error_free(err);
    err = NULL;

    CHECK_STATUS(out[0].status, PAYRULES_OK);
    CHECK(out[0].employed == 1);
    CHECK_AMOUNT(out[0].base_pay, "2200.00");
    CHECK_AMOUNT(out[0].living_allowance, "600.00");
    CHECK_AMOUNT(out[0].post_allowance, "300.00");
    CHECK_AMOUNT(out[0].title_allowance, "400.00");
    CHECK_AMOUNT(out[0].monthly_bonus, "1100.00");
    CHECK_AMOUNT(out[0].honour_award, "0.00");
    CHECK_AMOUNT(out[0].gross, "4600.00");
    CHECK(out[0].gross.mantissa == 460000 && out[0].gross.scale == 2);

    CHECK_STATUS(out[1].status, PAYRULES_OK);
    CHECK_AMOUNT(out[1].base_pay, "2600.00");
    CHECK_AMOUNT(out[1].post_allowance, "600.00");
    CHECK_AMOUNT(out[1].title_allowance, "200.00");
    CHECK_AMOUNT(out[1].monthly_bonus, "900.00");
    CHECK_AMOUNT(out[1].honour_award, "5000.00");
    CHECK_AMOUNT(out[1].gross, "9900.00");

    CHECK_STATUS(out[2].status, PAYRULES_OK);
    CHECK_AMOUNT(out[2].base_pay, "1100.00");
    CHECK_AMOUNT(out[2].living_allowance, "300.00");
    CHECK_AMOUNT(out[2].post_allowance, "150.00");
    CHECK_AMOUNT(out[2].title_allowance, "300.00");
    CHECK_AMOUNT(out[2].monthly_bonus, "450.00");
    CHECK_AMOUNT(out[2].gross, "2300.00");

    CHECK_STATUS(out[3].status, PAYRULES_OK);
    CHECK(out[3].employed == 0);
    CHECK_AMOUNT(out[3].gross, "0.00");

    CHECK_STATUS(out[4].status, PAYRULES_INVALID_ENUM);
    CHECK_STATUS(out[5].status, PAYRULES_UNKNOWN_POSITION);
    CHECK_STATUS(out[6].status, PAYRULES_DUPLICATE_WORKER);
    CHECK_STATUS(out[7].status, PAYRULES_DUPLICATE_WORKER);
    CHECK_STATUS(out[8].status, PAYRULES_INVALID_GRADE);
    for (i = 4; i <= 8; i++) {
        CHECK(out[i].employed == 0);
        CHECK_AMOUNT(out[i].gross, "0.00");
    }
    CHECK_STATUS(out[9].status, PAYRULES_OK);
    CHECK_AMOUNT(out[9].monthly_bonus, "0.00");
    CHECK_AMOUNT(out[9].gross, "3100.00");
    CHECK_STATUS(out[10].status, PAYRULES_INVALID_DATE);

    /* The good rows alone: PAYRULES_OK, the same amounts. */
    {
        payrules_worker_month good[4];
        payrules_payslip again[4];
        good[0] = rows[0];
        good[1] = rows[1];
        good[2] = rows[2];
        good[3] = rows[9];
        CHECK_STATUS(payrules_monthly_batch(policy, 2026, 11, good, 4, honours, 3, again, &err),
                     PAYRULES_OK);
        CHECK(err == NULL);
        CHECK(payslip_equal(&again[0], &out[0]));
        CHECK(payslip_equal(&again[1], &out[1]));
        CHECK(payslip_equal(&again[2], &out[2]));
        CHECK(payslip_equal(&again[3], &out[9]));
    }

    /* The same workers as a JSON run: the same gross pay. */
    {
        static const char request[] =
            "{\"kind\": \"monthly\", \"period\": \"2026-11\",\n"
            " \"workers\": [\n"
            "  {\"id\": \"W001\", \"unit\": \"温泉社区\", \"position\": \"community_worker\","
            "   \"title\": \"social_worker\", \"hired_on\": \"2020-03-01\"},\n"
            "  {\"id\": \"W002\", \"unit\": \"温泉社区\", \"position\": \"社区书记\","
            "   \"title\": \"assistant_social_worker\", \"hired_on\": \"2016-02-01\"},\n"
            "  {\"id\": \"W003\", \"unit\": \"温泉社区\", \"position\": \"community_worker\","
            "   \"title\": \"senior_social_worker\", \"hired_on\": \"2026-11-16\"},\n"
            "  {\"id\": \"W009\", \"unit\": \"温泉社区\", \"position\": \"community_worker\","
            "   \"hired_on\": \"2026-09-01\", \"probation_until\": \"2026-11-30\"}],\n"
            " \"assessments\": [\n"
            "  {\"worker_id\": \"W001\", \"period\": \"2026-11\", \"grade\": \"good\"},\n"
            "  {\"worker_id\": \"W002\", \"period\": \"2026-11\", \"grade\": \"合格\"},\n"
            "  {\"worker_id\": \"W003\", \"period\": \"2026-11\", \"grade\": \"pass\"}],\n"
            " \"honours\": [\n"
            "  {\"worker_id\": \"W002\", \"level\": \"municipal\", \"awarded_on\": \"2026-11-05\", \"deed\": \"防汛\"},\n"
            "  {\"worker_id\": \"W002\", \"level\": \"provincial\", \"awarded_on\": \"2026-11-20\", \"deed\": \"防汛\"},\n"
            "  {\"worker_id\": \"W002\", \"level\": \"national\", \"awarded_on\": \"2026-10-01\"}]}";
        char *response = NULL;
        size_t response_len = 0;
        char g[32];
        char want[PAYRULES_DECIMAL_STRING_MAX];
        const size_t rows_of[4] = {0, 1, 2, 9};
        CHECK_STATUS(payrules_run_json(policy, request, strlen(request), &response,
                                       &response_len, &err),
                     PAYRULES_OK);
        CHECK(err == NULL);
        CHECK(response != NULL && strlen(response) == response_len);
        CHECK(response != NULL && strstr(response, "\"complete\": true") != NULL);
        for (i = 0; i < 4 && response != NULL; i++) {
            const char *id = ids[rows_of[i]];
            CHECK(gross_of(response, id, g, sizeof g));
            CHECK(strcmp(g, dec(out[rows_of[i]].gross, want)) == 0);
        }
        payrules_string_free(response);

        /* With a bad worker: the response is still written, complete false. */
        {
            const char *bad =
                "{\"kind\": \"monthly\", \"period\": \"2026-11\", \"workers\": ["
                "{\"id\": \"W1\", \"unit\": \"U\", \"position\": \"community_worker\","
                " \"title\": \"wizard\", \"hired_on\": \"2020-01-01\"}]}";
            response = NULL;
            CHECK_STATUS(payrules_run_json(NULL, bad, strlen(bad), &response, NULL, &err),
                         PAYRULES_INPUT_ERRORS);
            CHECK(response != NULL && strstr(response, "\"complete\": false") != NULL);
            CHECK_ERROR(err, PAYRULES_INPUT_ERRORS, "worker W1: title: unknown title \"wizard\"");
            payrules_string_free(response);
        }
    }
}

static void single_amounts(const payrules_policy *policy) {
    payrules_decimal d;
    payrules_error *err = NULL;
    char buf[32];
    size_t needed = 0;
    payrules_date nov = date(2026, 11, 1);
    CHECK_STATUS(payrules_monthly_bonus(policy, PAYRULES_GRADE_EXCELLENT, nov, &d, &err), PAYRULES_OK);
    CHECK_AMOUNT(d, "1300.00");
    CHECK_STATUS(payrules_monthly_bonus(policy, PAYRULES_GRADE_FAIL, nov, &d, &err), PAYRULES_OK);
    CHECK_AMOUNT(d, "0.00");
    CHECK_STATUS(payrules_annual_bonus(policy, PAYRULES_GRADE_GOOD, nov, &d, &err), PAYRULES_OK);
    CHECK_AMOUNT(d, "1800.00");
    CHECK_STATUS(payrules_honour_award(policy, PAYRULES_HONOUR_NATIONAL, nov, &d, &err), PAYRULES_OK);
    CHECK_AMOUNT(d, "10000.00");
    CHECK_STATUS(payrules_title_allowance(policy, PAYRULES_TITLE_SOCIAL_WORKER, nov, &d, &err),
                 PAYRULES_OK);
    CHECK_AMOUNT(d, "400.00");
    CHECK(err == NULL);

    CHECK_STATUS(payrules_policy_id(policy, buf, sizeof buf, &needed), PAYRULES_OK);
    CHECK(strcmp(buf, "gulou") == 0 && needed == 6);
    CHECK_STATUS(payrules_policy_version_on(policy, nov, buf, sizeof buf, &needed, &err), PAYRULES_OK);
    CHECK(strcmp(buf, "2018") == 0);
    CHECK_STATUS(payrules_policy_version_on(policy, date(2017, 12, 31), buf, sizeof buf, &needed, &err),
                 PAYRULES_NO_POLICY_VERSION);
    CHECK_ERROR(err, PAYRULES_NO_POLICY_VERSION, "no version in force on 2017-12-31");

    /* The policy's TOML reads back as the same policy. */
    {
        char *toml = NULL;
        size_t toml_len = 0;
        payrules_policy *copy = NULL;
        CHECK_STATUS(payrules_policy_to_toml(policy, &toml, &toml_len), PAYRULES_OK);
        CHECK(toml != NULL && strlen(toml) == toml_len && strstr(toml, "id = \"gulou\"") != NULL);
        CHECK_STATUS(payrules_policy_from_toml(toml, toml_len, &copy, &err), PAYRULES_OK);
        CHECK_STATUS(payrules_monthly_bonus(copy, PAYRULES_GRADE_GOOD, nov, &d, &err), PAYRULES_OK);
        CHECK_AMOUNT(d, "1100.00");
        payrules_policy_free(copy);
        payrules_string_free(toml);
    }

    /* Decimals. */
    {
        payrules_decimal x = {1005, 3};
        payrules_decimal r;
        CHECK_STATUS(payrules_decimal_round_fen(x, &r, &err), PAYRULES_OK);
        CHECK(r.mantissa == 101 && r.scale == 2);
        x.mantissa = -1005;
        CHECK_STATUS(payrules_decimal_round_fen(x, &r, &err), PAYRULES_OK);
        CHECK(r.mantissa == -101 && r.scale == 2);
        CHECK_STATUS(payrules_decimal_parse("-1300.5", 7, &r, &err), PAYRULES_OK);
        CHECK(r.mantissa == -13005 && r.scale == 1);
        CHECK_AMOUNT(r, "-1300.5");
    }
}

/* Runs each REQUEST and compares the response byte for byte with EXPECTED
   (a trailing newline in the file, as `payrules run` prints, is allowed). */
static void golden(int argc, char **argv) {
    int k;
    for (k = 1; k + 1 < argc; k += 2) {
        size_t req_len = 0, want_len = 0, got_len = 0;
        char *req = read_file(argv[k], &req_len);
        char *want = read_file(argv[k + 1], &want_len);
        char *got = NULL;
        payrules_error *err = NULL;
        uint32_t st;
        CHECK(req != NULL && want != NULL);
        if (req == NULL || want == NULL) {
            free(req);
            free(want);
            continue;
        }
        st = payrules_run_json(NULL, req, req_len, &got, &got_len, &err);
        CHECK(st == PAYRULES_OK || st == PAYRULES_INPUT_ERRORS);
        if (want_len > 0 && want[want_len - 1] == '\n') want_len--;
        if (got == NULL || got_len != want_len || memcmp(got, want, want_len) != 0) {
            check_failures++;
            fprintf(stderr, "%s: response differs from %s\n", argv[k], argv[k + 1]);
        } else {
            check_passes++;
        }
        payrules_string_free(got);
        payrules_error_free(err);
        free(req);
        free(want);
    }
}

int main(int argc, char **argv) {
    payrules_policy *policy = NULL;
    CHECK_STATUS(payrules_check_abi(PAYRULES_ABI_VERSION), PAYRULES_OK);
    {
        char v[32];
        snprintf(v, sizeof v, "%d.%d.%d", PAYRULES_VERSION_MAJOR, PAYRULES_VERSION_MINOR,
                 PAYRULES_VERSION_PATCH);
        CHECK(strcmp(payrules_version(), v) == 0);
    }
    CHECK_STATUS(payrules_policy_builtin(&policy), PAYRULES_OK);
    if (policy == NULL) return check_summary("payroll");
    batch_and_json(policy);
    single_amounts(policy);
    golden(argc, argv);
    payrules_policy_free(policy);
    return check_summary("payroll");
}
