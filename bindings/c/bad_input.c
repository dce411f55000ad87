/*
 * Bad input through the payrules C ABI: every case gives a status and a
 * message, never a crash, and writes no output. Run under valgrind too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char not_utf8[] = "id = \"\xff\xfe\"";

static void nulls(const payrules_policy *p) {
    payrules_decimal d = {7, 0};
    payrules_error *err = NULL;
    payrules_policy *h = NULL;
    char *s = NULL;
    char buf[16] = "untouched";
    size_t n = 0;
    payrules_date nov = date(2026, 11, 1);
    payrules_worker_month row;
    payrules_payslip out;
    const char *json = "{}";

    CHECK_STATUS(payrules_policy_builtin(NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_policy_from_toml(NULL, 0, &h, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "text is NULL");
    CHECK_STATUS(payrules_policy_from_toml("id = 1", 6, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "out is NULL");
    CHECK(h == NULL);
    CHECK_STATUS(payrules_policy_id(NULL, buf, sizeof buf, &n), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_policy_id(p, NULL, 16, &n), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_policy_version_on(NULL, nov, buf, sizeof buf, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "policy is NULL");
    CHECK_STATUS(payrules_policy_to_toml(NULL, &s, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_policy_to_toml(p, NULL, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK(s == NULL);

    CHECK_STATUS(payrules_monthly_bonus(NULL, 2, nov, &d, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "policy is NULL");
    CHECK_STATUS(payrules_monthly_bonus(p, 2, nov, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "out is NULL");
    CHECK_STATUS(payrules_annual_bonus(NULL, 2, nov, &d, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_annual_bonus(p, 2, nov, NULL, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_honour_award(NULL, 0, nov, &d, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_honour_award(p, 0, nov, NULL, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_title_allowance(NULL, 0, nov, &d, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_title_allowance(p, 0, nov, NULL, NULL), PAYRULES_NULL_ARGUMENT);
    CHECK(d.mantissa == 7 && d.scale == 0); /* never written */

    CHECK_STATUS(payrules_run_json(p, NULL, 10, &s, &n, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "request is NULL");
    CHECK_STATUS(payrules_run_json(p, json, 2, NULL, &n, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "response is NULL");
    CHECK(s == NULL);

    memset(&row, 0, sizeof row);
    row.worker_id = "W1";
    row.position = "community_worker";
    row.grade = PAYRULES_GRADE_PASS;
    row.hired_on = date(2020, 1, 1);
    CHECK_STATUS(payrules_monthly_batch(NULL, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "policy is NULL");
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, NULL, 1, NULL, 0, &out, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "rows is NULL");
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 3, &out, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "honours is NULL");
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "out is NULL");
    /* NULL arrays of length 0 are an empty batch. */
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, NULL, 0, NULL, 0, NULL, &err), PAYRULES_OK);
    CHECK(err == NULL);
    /* NULL strings inside a row: that row's status. */
    row.worker_id = NULL;
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "rows[0]: worker_id is NULL");
    row.worker_id = "W1";
    row.position = NULL;
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "rows[0] (worker W1): position is NULL");

    CHECK_STATUS(payrules_decimal_to_string(d, NULL, 16, &n, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_decimal_parse(NULL, 3, &d, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "text is NULL");
    CHECK_STATUS(payrules_decimal_parse("1.5", 3, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "out is NULL");
    CHECK_STATUS(payrules_decimal_round_fen(d, NULL, &err), PAYRULES_NULL_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_NULL_ARGUMENT, "out is NULL");

    CHECK_STATUS(payrules_error_status(NULL), PAYRULES_NULL_ARGUMENT);
    CHECK_STATUS(payrules_error_message(NULL, buf, sizeof buf, &n), PAYRULES_NULL_ARGUMENT);
    CHECK(strcmp(buf, "untouched") == 0);

    /* Freeing NULL is harmless. */
    payrules_policy_free(NULL);
    payrules_error_free(NULL);
    payrules_string_free(NULL);
}

static void bad_text(const payrules_policy *p) {
    payrules_error *err = NULL;
    payrules_policy *h = NULL;
    char *s = NULL;
    payrules_decimal d;
    payrules_worker_month row;
    payrules_payslip out;
    payrules_honour hon;

    /* len 0 */
    CHECK_STATUS(payrules_policy_from_toml("", 0, &h, &err), PAYRULES_INVALID_POLICY);
    CHECK_ERROR(err, PAYRULES_INVALID_POLICY, "problem");
    CHECK_STATUS(payrules_run_json(p, "{}", 0, &s, NULL, &err), PAYRULES_INVALID_REQUEST);
    CHECK_ERROR(err, PAYRULES_INVALID_REQUEST, "the request is empty");
    CHECK_STATUS(payrules_decimal_parse("1", 0, &d, &err), PAYRULES_INVALID_DECIMAL);
    CHECK_ERROR(err, PAYRULES_INVALID_DECIMAL, "empty amount");

    /* not UTF-8 */
    CHECK_STATUS(payrules_policy_from_toml(not_utf8, strlen(not_utf8), &h, &err), PAYRULES_INVALID_UTF8);
    CHECK_ERROR(err, PAYRULES_INVALID_UTF8, "not UTF-8: invalid byte at offset 6");
    CHECK_STATUS(payrules_run_json(p, "{\"kind\": \"\xc3\x28\"}", 13, &s, NULL, &err), PAYRULES_INVALID_UTF8);
    CHECK_ERROR(err, PAYRULES_INVALID_UTF8, "request is not UTF-8");
    CHECK_STATUS(payrules_decimal_parse("1\xff", 2, &d, &err), PAYRULES_INVALID_UTF8);
    CHECK_ERROR(err, PAYRULES_INVALID_UTF8, "not UTF-8");

    /* malformed TOML and JSON; a policy that breaks the rules */
    CHECK_STATUS(payrules_policy_from_toml("id = ", 5, &h, &err), PAYRULES_INVALID_POLICY);
    CHECK_ERROR(err, PAYRULES_INVALID_POLICY, "not valid TOML");
    CHECK_STATUS(payrules_run_json(p, "{\"kind\": ", 9, &s, NULL, &err), PAYRULES_INVALID_REQUEST);
    CHECK_ERROR(err, PAYRULES_INVALID_REQUEST, "not a valid run document");
    {
        const char *r = "{\"kind\": \"monthly\", \"period\": \"2026-13\"}";
        CHECK_STATUS(payrules_run_json(p, r, strlen(r), &s, NULL, &err), PAYRULES_INVALID_REQUEST);
        CHECK_ERROR(err, PAYRULES_INVALID_REQUEST, "period");
        r = "{\"kind\": \"monthly\", \"period\": \"2017-11\"}";
        CHECK_STATUS(payrules_run_json(p, r, strlen(r), &s, NULL, &err), PAYRULES_NO_POLICY_VERSION);
        CHECK_ERROR(err, PAYRULES_NO_POLICY_VERSION, "no version in force on 2017-11-01");
        r = "{\"kind\": \"monthly\", \"period\": \"2026-11\", \"policy\": \"id = 3\"}";
        CHECK_STATUS(payrules_run_json(p, r, strlen(r), &s, NULL, &err), PAYRULES_INVALID_POLICY);
        CHECK_ERROR(err, PAYRULES_INVALID_POLICY, "problem");
    }
    CHECK(s == NULL && h == NULL);

    /* a worker id that is not UTF-8, a unit that is not, a deed that is not */
    memset(&row, 0, sizeof row);
    row.worker_id = "W\xff";
    row.position = "community_worker";
    row.hired_on = date(2020, 1, 1);
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_INVALID_UTF8);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "worker_id is not UTF-8");
    row.worker_id = "W1";
    hon.worker_id = "W1";
    hon.level = PAYRULES_HONOUR_MUNICIPAL;
    hon.awarded_on = date(2026, 11, 3);
    hon.deed = "\xe9";
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, &hon, 1, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_INVALID_UTF8);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "honours[0].deed is not UTF-8");
    /* an honour for nobody in the batch: refused; the row is paid */
    hon.deed = NULL;
    hon.worker_id = "W2";
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, &hon, 1, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_OK);
    CHECK_AMOUNT(out.gross, "3100.00");
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "honours[0]: worker_id: no row has worker \"W2\"");
    /* an honour level 7 */
    hon.worker_id = "W1";
    hon.level = 7;
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, &hon, 1, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_INVALID_ENUM);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "honours[0].level: 7 is not a valid number");
    /* an empty worker id */
    row.worker_id = "  ";
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_INVALID_ARGUMENT);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "worker_id: empty");
}

static void bad_numbers(const payrules_policy *p) {
    payrules_error *err = NULL;
    payrules_decimal d = {7, 0};
    payrules_decimal big = {INT64_MAX, 0};
    payrules_decimal scale40 = {1, 40};
    char buf[PAYRULES_DECIMAL_STRING_MAX];
    size_t n = 0;
    payrules_worker_month row;
    payrules_payslip out;

    /* grade 99, title 4, honour level 3 */
    CHECK_STATUS(payrules_monthly_bonus(p, 99, date(2026, 11, 1), &d, &err), PAYRULES_INVALID_ENUM);
    CHECK_ERROR(err, PAYRULES_INVALID_ENUM,
                "grade: 99 is not a valid number; expected one of 0 (ungraded), 1 (fail), 2 (pass), 3 (good), 4 (excellent)");
    CHECK_STATUS(payrules_annual_bonus(p, 99, date(2026, 11, 1), &d, &err), PAYRULES_INVALID_ENUM);
    CHECK_ERROR(err, PAYRULES_INVALID_ENUM, "grade: 99");
    CHECK_STATUS(payrules_title_allowance(p, 4, date(2026, 11, 1), &d, &err), PAYRULES_INVALID_ENUM);
    CHECK_ERROR(err, PAYRULES_INVALID_ENUM, "3 (senior_social_worker)");
    CHECK_STATUS(payrules_honour_award(p, 3, date(2026, 11, 1), &d, &err), PAYRULES_INVALID_ENUM);
    CHECK_ERROR(err, PAYRULES_INVALID_ENUM, "2 (national)");
    CHECK(d.mantissa == 7 && d.scale == 0);

    /* the date 2026-02-30, a month 13, a date before the policy */
    CHECK_STATUS(payrules_monthly_bonus(p, 2, date(2026, 2, 30), &d, &err), PAYRULES_INVALID_DATE);
    CHECK_ERROR(err, PAYRULES_INVALID_DATE, "2026-02-30 is not a date");
    CHECK_STATUS(payrules_monthly_bonus(p, 2, date(2017, 12, 31), &d, &err), PAYRULES_NO_POLICY_VERSION);
    CHECK_ERROR(err, PAYRULES_NO_POLICY_VERSION, "no version in force on 2017-12-31");
    memset(&row, 0, sizeof row);
    row.worker_id = "W1";
    row.position = "community_worker";
    row.hired_on = date(2020, 1, 1);
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 13, &row, 1, NULL, 0, &out, &err), PAYRULES_INVALID_DATE);
    CHECK_ERROR(err, PAYRULES_INVALID_DATE, "2026-13 is not a month");
    CHECK_STATUS(payrules_monthly_batch(p, 0xFFFFFFFFu, 1, &row, 1, NULL, 0, &out, &err), PAYRULES_INVALID_DATE);
    CHECK_ERROR(err, PAYRULES_INVALID_DATE, "is not a month");
    row.left_on = date(2019, 12, 31);
    CHECK_STATUS(payrules_monthly_batch(p, 2026, 11, &row, 1, NULL, 0, &out, &err), PAYRULES_ROW_ERROR);
    CHECK_STATUS(out.status, PAYRULES_INVALID_DATE);
    CHECK_ERROR(err, PAYRULES_ROW_ERROR, "left_on: 2019-12-31 is before hired_on 2020-01-01");

    /* decimal scale 40; a mantissa that overflows on rescale; too many digits */
    CHECK_STATUS(payrules_decimal_to_string(scale40, buf, sizeof buf, &n, &err), PAYRULES_INVALID_DECIMAL);
    CHECK_ERROR(err, PAYRULES_INVALID_DECIMAL, "scale 40 is out of range");
    CHECK_STATUS(payrules_decimal_round_fen(scale40, &d, &err), PAYRULES_INVALID_DECIMAL);
    CHECK_ERROR(err, PAYRULES_INVALID_DECIMAL, "scale 40");
    CHECK_STATUS(payrules_decimal_round_fen(big, &d, &err), PAYRULES_DECIMAL_OVERFLOW);
    CHECK_ERROR(err, PAYRULES_DECIMAL_OVERFLOW, "9223372036854775807 rounded to the fen");
    CHECK_STATUS(payrules_decimal_parse("99999999999999999999", 20, &d, &err), PAYRULES_DECIMAL_OVERFLOW);
    CHECK_ERROR(err, PAYRULES_DECIMAL_OVERFLOW, "64-bit mantissa");
    CHECK_STATUS(payrules_decimal_parse("1e3", 3, &d, &err), PAYRULES_INVALID_DECIMAL);
    CHECK_ERROR(err, PAYRULES_INVALID_DECIMAL, "not a plain decimal");
    CHECK(d.mantissa == 7 && d.scale == 0);
    /* INT64_MIN prints */
    big.mantissa = INT64_MIN;
    big.scale = 28;
    CHECK_STATUS(payrules_decimal_to_string(big, buf, sizeof buf, &n, &err), PAYRULES_OK);
    CHECK(strcmp(buf, "-0.0000000009223372036854775808") == 0);
}

static void small_buffers(const payrules_policy *p) {
    payrules_error *err = NULL;
    payrules_decimal d;
    char buf[8];
    size_t needed = 0;
    char *m;
    CHECK_STATUS(payrules_monthly_bonus(p, 99, date(2026, 11, 1), &d, &err), PAYRULES_INVALID_ENUM);
    memcpy(buf, "sentinel", 8);
    CHECK_STATUS(payrules_error_message(err, buf, 4, &needed), PAYRULES_BUFFER_TOO_SMALL);
    CHECK(memcmp(buf, "sentinel", 8) == 0); /* not written */
    m = error_text(err);
    CHECK(m != NULL && needed == strlen(m) + 1);
    CHECK_STATUS(payrules_error_message(err, buf, 0, NULL), PAYRULES_BUFFER_TOO_SMALL);
    free(m);
    payrules_error_free(err);
    err = NULL;

    CHECK_STATUS(payrules_policy_id(p, buf, 5, &needed), PAYRULES_BUFFER_TOO_SMALL);
    CHECK(needed == 6 && memcmp(buf, "sentinel", 8) == 0);
    CHECK_STATUS(payrules_policy_id(p, buf, 6, &needed), PAYRULES_OK);
    CHECK(strcmp(buf, "gulou") == 0);
    d.mantissa = 130000;
    d.scale = 2;
    CHECK_STATUS(payrules_decimal_to_string(d, buf, 7, &needed, &err), PAYRULES_BUFFER_TOO_SMALL);
    CHECK(needed == 8);
    CHECK_STATUS(payrules_decimal_to_string(d, buf, 8, &needed, &err), PAYRULES_OK);
    CHECK(strcmp(buf, "1300.00") == 0);
    CHECK_STATUS(payrules_check_abi(PAYRULES_ABI_VERSION + 1), PAYRULES_ABI_MISMATCH);
    CHECK(strcmp(payrules_status_message(12345), "unknown status code") == 0);
    CHECK(strcmp(payrules_status_message(PAYRULES_BUFFER_TOO_SMALL), "the buffer is too small") == 0);
    CHECK(err == NULL);
}

int main(void) {
    payrules_policy *p = NULL;
    CHECK_STATUS(payrules_policy_builtin(&p), PAYRULES_OK);
    nulls(p);
    bad_text(p);
    bad_numbers(p);
    small_buffers(p);
    payrules_policy_free(p);
    return check_summary("bad_input");
}
