/*
 * 8 threads share one policy handle: each runs the typed batch, a JSON run
 * and single amounts many times and compares every result with the one the
 * main thread computed first.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define THREADS 8
#define ROWS 500
#define ROUNDS 4

static const payrules_policy *shared;
static payrules_worker_month rows[ROWS];
static char ids[ROWS][16];
static payrules_payslip expected[ROWS];
static char *expected_json;
static const char request[] =
    "{\"kind\": \"monthly\", \"period\": \"2026-11\", \"workers\": ["
    "{\"id\": \"A\", \"unit\": \"U\", \"position\": \"community_worker\", \"title\": \"social_worker\","
    " \"hired_on\": \"2020-03-01\"},"
    "{\"id\": \"B\", \"unit\": \"U\", \"position\": \"community_secretary\", \"hired_on\": \"2026-11-10\"},"
    "{\"id\": \"C\", \"unit\": \"U\", \"position\": \"career_secretary\", \"hired_on\": \"2010-01-01\","
    " \"left_on\": \"2026-11-20\"}],"
    "\"assessments\": [{\"worker_id\": \"A\", \"period\": \"2026-11\", \"grade\": \"good\"},"
    "{\"worker_id\": \"B\", \"period\": \"2026-11\", \"grade\": \"pass\"},"
    "{\"worker_id\": \"C\", \"period\": \"2026-11\", \"grade\": \"pass\"}]}";

static void *work(void *arg) {
    long mismatches = 0;
    int round;
    (void)arg;
    for (round = 0; round < ROUNDS; round++) {
        payrules_payslip out[ROWS];
        char *json = NULL;
        payrules_decimal d;
        int k;
        if (payrules_monthly_batch(shared, 2026, 11, rows, ROWS, NULL, 0, out, NULL) != PAYRULES_OK) {
            mismatches++;
        }
        for (k = 0; k < ROWS; k++) {
            if (!payslip_equal(&out[k], &expected[k])) mismatches++;
        }
        if (payrules_run_json(shared, request, strlen(request), &json, NULL, NULL) != PAYRULES_OK ||
            strcmp(json, expected_json) != 0) {
            mismatches++;
        }
        payrules_string_free(json);
        if (payrules_monthly_bonus(shared, PAYRULES_GRADE_GOOD, date(2026, 11, 1), &d, NULL) != PAYRULES_OK ||
            d.mantissa != 110000 || d.scale != 2) {
            mismatches++;
        }
    }
    return (void *)mismatches;
}

int main(void) {
    payrules_policy *policy = NULL;
    pthread_t t[THREADS];
    int i;
    static const char *positions[] = {"community_worker", "community_secretary", "career_secretary"};
    CHECK_STATUS(payrules_policy_builtin(&policy), PAYRULES_OK);
    shared = policy;
    for (i = 0; i < ROWS; i++) {
        snprintf(ids[i], sizeof ids[i], "T%05d", i);
        memset(&rows[i], 0, sizeof rows[i]);
        rows[i].worker_id = ids[i];
        rows[i].unit = "U";
        rows[i].position = positions[i % 3];
        rows[i].title = (uint32_t)(i % 4);
        rows[i].grade = (uint32_t)(1 + i % 4);
        rows[i].hired_on = date(2026, 11, (uint32_t)(1 + i % 28));
    }
    CHECK_STATUS(payrules_monthly_batch(shared, 2026, 11, rows, ROWS, NULL, 0, expected, NULL),
                 PAYRULES_OK);
    /* Row 1: community_secretary hired 2026-11-02, assistant title, pass: 29/30 of
       2600 + 600 + 600 + 200 + 900 = 2513.33 + 580 + 580 + 193.33 + 870 */
    CHECK_AMOUNT(expected[1].base_pay, "2513.33");
    CHECK_AMOUNT(expected[1].gross, "4736.66");
    CHECK_STATUS(payrules_run_json(shared, request, strlen(request), &expected_json, NULL, NULL),
                 PAYRULES_OK);
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&t[i], NULL, work, NULL) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        void *r = NULL;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK((long)r == 0);
    }
    payrules_string_free(expected_json);
    payrules_policy_free(policy);
    return check_summary("threads");
}
