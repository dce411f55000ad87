/* Tiny assertion helpers shared by the C tests of payrules. */
#ifndef PAYRULES_CHECK_H
#define PAYRULES_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payrules.h"

static int check_failures = 0;
static int check_passes = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passes++;                                                      \
        } else {                                                                 \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STATUS(got, want)                                                  \
    do {                                                                         \
        uint32_t got_ = (got);                                                   \
        if (got_ == (uint32_t)(want)) {                                          \
            check_passes++;                                                      \
        } else {                                                                 \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: status %u (%s), expected %s (%u)\n", __FILE__, \
                    __LINE__, (unsigned)got_, payrules_status_message(got_), #want, \
                    (unsigned)(want));                                           \
        }                                                                        \
    } while (0)

/* The decimal as text ("1300.00"), in a static buffer per call site use. */
static inline const char *dec(payrules_decimal d, char buf[PAYRULES_DECIMAL_STRING_MAX]) {
    if (payrules_decimal_to_string(d, buf, PAYRULES_DECIMAL_STRING_MAX, NULL, NULL) != PAYRULES_OK) {
        strcpy(buf, "<invalid>");
    }
    return buf;
}

#define CHECK_AMOUNT(d, text)                                                    \
    do {                                                                         \
        char b_[PAYRULES_DECIMAL_STRING_MAX];                                    \
        const char *s_ = dec((d), b_);                                           \
        if (strcmp(s_, (text)) == 0) {                                           \
            check_passes++;                                                      \
        } else {                                                                 \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: %s is %s, expected %s\n", __FILE__, __LINE__, #d, s_, \
                    (text));                                                     \
        }                                                                        \
    } while (0)

/* The error's message (malloc'd; the caller frees it), or NULL. */
static inline char *error_text(const payrules_error *err) {
    size_t needed = 0;
    char *buf;
    if (payrules_error_message(err, NULL, 0, &needed) != PAYRULES_BUFFER_TOO_SMALL) return NULL;
    buf = (char *)malloc(needed);
    if (buf == NULL) return NULL;
    if (payrules_error_message(err, buf, needed, NULL) != PAYRULES_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Checks that err holds status `want` and a message containing `part`; frees it. */
#define CHECK_ERROR(err, want, part)                                             \
    do {                                                                         \
        char *m_ = error_text(err);                                              \
        CHECK_STATUS(payrules_error_status(err), want);                          \
        if (m_ != NULL && strstr(m_, (part)) != NULL) {                          \
            check_passes++;                                                      \
        } else {                                                                 \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: error message %s lacks \"%s\"\n", __FILE__, __LINE__, \
                    m_ ? m_ : "(none)", (part));                                 \
        }                                                                        \
        free(m_);                                                                \
        payrules_error_free(err);                                                \
        (err) = NULL;                                                            \
    } while (0)

static inline int check_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_passes, check_failures);
    return check_failures == 0 ? 0 : 1;
}

static inline payrules_date date(uint32_t y, uint32_t m, uint32_t d) {
    payrules_date r;
    r.year = y;
    r.month = m;
    r.day = d;
    return r;
}

/* Field by field: structs with padding must not be compared with memcmp. */
static inline int decimal_equal(payrules_decimal a, payrules_decimal b) {
    return a.mantissa == b.mantissa && a.scale == b.scale;
}

static inline int payslip_equal(const payrules_payslip *a, const payrules_payslip *b) {
    return a->status == b->status && a->employed == b->employed &&
           decimal_equal(a->base_pay, b->base_pay) &&
           decimal_equal(a->living_allowance, b->living_allowance) &&
           decimal_equal(a->post_allowance, b->post_allowance) &&
           decimal_equal(a->title_allowance, b->title_allowance) &&
           decimal_equal(a->monthly_bonus, b->monthly_bonus) &&
           decimal_equal(a->honour_award, b->honour_award) && decimal_equal(a->gross, b->gross);
}

#define NO_DATE date(0, 0, 0)

/* Reads a whole file (malloc'd, NUL-terminated); NULL on failure. */
static inline char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = (char *)malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

#endif
