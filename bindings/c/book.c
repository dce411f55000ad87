/*
 * A payroll book from C: create a book (argv[1], removed first if it is
 * there), pay two months from JSON requests, close them, read a worker's
 * history back and check its amounts (decimal strings), check the refusal
 * of a closed month, reopen the book and verify it; free everything.
 */
#include "check.h"

#define MONTH(period, grade)                                                               \
    "{\"op\": \"pay\", \"request\": {\"period\": \"" period "\", \"workers\": ["            \
    "{\"id\": \"W1\", \"name\": \"Lin\", \"unit\": \"Wenquan\", \"position\": \"community_worker\"," \
    " \"title\": \"social_worker\", \"hired_on\": \"2020-03-01\"},"                           \
    "{\"id\": \"W2\", \"name\": \"Chen\", \"unit\": \"Wenquan\", \"position\": \"community_worker\"," \
    " \"hired_on\": \"2021-06-01\"}],"                                                       \
    "\"assessments\": [{\"worker_id\": \"W1\", \"period\": \"" period "\", \"grade\": \"" grade "\"}," \
    "{\"worker_id\": \"W2\", \"period\": \"" period "\", \"grade\": \"pass\"}]}}"

/* Runs a command; returns its status and (when written) its response, which
 * the caller frees with payrules_string_free. */
static uint32_t command(payrules_book *book, const char *cmd, char **response, payrules_error **err) {
    size_t n = 0;
    *response = NULL;
    return payrules_book_json(book, cmd, strlen(cmd), response, &n, err);
}

/* Checks that the response holds `part` (a piece of pretty JSON). */
#define CHECK_HAS(text, part)                                                          \
    do {                                                                               \
        if ((text) != NULL && strstr((text), (part)) != NULL) {                        \
            check_passes++;                                                            \
        } else {                                                                       \
            check_failures++;                                                          \
            fprintf(stderr, "%s:%d: response lacks %s:\n%s\n", __FILE__, __LINE__, (part), \
                    (text) ? (text) : "(none)");                                       \
        }                                                                              \
    } while (0)

int main(int argc, char **argv) {
    payrules_book *book = NULL;
    payrules_error *err = NULL;
    char *resp = NULL;
    const char *path = argc > 1 ? argv[1] : "book-test.book";
    remove(path);

    CHECK_STATUS(payrules_book_create(path, NULL, &book, &err), PAYRULES_OK);
    CHECK(err == NULL && book != NULL);
    if (book == NULL) return check_summary("book");

    /* October: W1 2200 + 600 + 300 + 400 (title) + 900 (pass) = 4400 gross;
     * net 4400 − 990 of contributions (22.5%), no tax below 5000. */
    CHECK_STATUS(command(book, MONTH("2026-10", "pass"), &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "{\"stored\":true,\"adjustments\":0,\"replaced\":false,\"run\":");
    CHECK_HAS(resp, "\"gross\": \"4400.00\"");
    CHECK_HAS(resp, "\"net\": \"3410.00\"");
    payrules_string_free(resp);
    CHECK_STATUS(command(book, "{\"op\": \"close\", \"period\": \"2026-10\"}", &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "\"period\": \"2026-10\"");
    CHECK_HAS(resp, "\"seq\": 1");
    CHECK_HAS(resp, "\"workers\": 2");
    payrules_string_free(resp);

    /* October again, once closed: refused, naming the month, nothing written. */
    CHECK_STATUS(command(book, MONTH("2026-10", "pass"), &resp, &err), PAYRULES_BOOK_REFUSED);
    CHECK(resp == NULL);
    CHECK_ERROR(err, PAYRULES_BOOK_REFUSED, "2026-10 is closed");

    /* November: good (1100) for W1: 4600 gross. */
    CHECK_STATUS(command(book, MONTH("2026-11", "good"), &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "\"gross\": \"4600.00\"");
    payrules_string_free(resp);
    CHECK_STATUS(command(book, "{\"op\": \"close\", \"period\": \"2026-11\"}", &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "\"seq\": 2");
    payrules_string_free(resp);

    /* A command that cannot be read. */
    CHECK_STATUS(command(book, "{\"op\": \"fly\"}", &resp, &err), PAYRULES_INVALID_REQUEST);
    CHECK(resp == NULL);
    CHECK_ERROR(err, PAYRULES_INVALID_REQUEST, "fly");
    payrules_book_free(book);
    book = NULL;

    /* Reopened: W1's history, both months closed. */
    CHECK_STATUS(payrules_book_open(path, &book, &err), PAYRULES_OK);
    if (book == NULL) return check_summary("book");
    CHECK_STATUS(command(book, "{\"op\": \"history\", \"worker_id\": \"W1\"}", &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "\"worker_id\": \"W1\"");
    CHECK_HAS(resp, "\"period\": \"2026-10\"");
    CHECK_HAS(resp, "\"gross\": \"4400.00\"");
    CHECK_HAS(resp, "\"net\": \"3410.00\"");
    CHECK_HAS(resp, "\"monthly_bonus\": \"1100.00\"");
    CHECK_HAS(resp, "\"gross\": \"4600.00\"");
    /* 4600 − 1035 (22.5%) */
    CHECK_HAS(resp, "\"net\": \"3565.00\"");
    CHECK(resp != NULL && strstr(resp, "\"draft\"") == NULL);
    payrules_string_free(resp);
    CHECK_STATUS(command(book, "{\"op\": \"verify\"}", &resp, &err), PAYRULES_OK);
    CHECK_HAS(resp, "\"ok\": true");
    CHECK_HAS(resp, "\"months\": 2");
    payrules_string_free(resp);
    payrules_book_free(book);

    /* No book there; a NULL path. */
    book = NULL;
    CHECK_STATUS(payrules_book_open("no-such-dir/none.book", &book, &err), PAYRULES_BOOK_IO);
    CHECK(book == NULL);
    CHECK_ERROR(err, PAYRULES_BOOK_IO, "no book at");
    CHECK_STATUS(payrules_book_open(NULL, &book, NULL), PAYRULES_NULL_ARGUMENT);
    payrules_book_free(NULL);
    remove(path);
    return check_summary("book");
}
