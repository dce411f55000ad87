/*
 * The example district's payroll from C: runs a request document (the
 * JSON of `payrules run`, e.g. examples/request-2026-11.json) through
 * libpayrules and prints the response document, as `payrules run` does.
 * Exit status 0 when the run was complete, 2 when the response lists input
 * errors, 1 when the request could not be run.
 *
 * Builds against an installed payrules with nothing but pkg-config:
 *   cc example.c $(pkg-config --cflags --libs payrules) -o example
 * or with CMake (CMakeLists.txt beside this file).
 */
#include <stdio.h>
#include <stdlib.h>

#include <payrules.h>

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    if (f == NULL) return NULL;
    do {
        if (n == cap) {
            char *more = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (more == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = more;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv) {
    size_t len = 0, response_len = 0;
    char *request;
    char *response = NULL;
    payrules_error *err = NULL;
    uint32_t status;

    if (argc != 2) {
        fprintf(stderr, "usage: %s REQUEST.json\n", argv[0]);
        return 1;
    }
    /* The library loaded must speak the ABI of the header compiled against. */
    if (payrules_check_abi(PAYRULES_ABI_VERSION) != PAYRULES_OK) {
        fprintf(stderr, "libpayrules %s has ABI %u, payrules.h %d\n", payrules_version(),
                payrules_abi_version(), PAYRULES_ABI_VERSION);
        return 1;
    }
    fprintf(stderr, "payrules %s (header %d.%d.%d)\n", payrules_version(), PAYRULES_VERSION_MAJOR,
            PAYRULES_VERSION_MINOR, PAYRULES_VERSION_PATCH);
    request = read_file(argv[1], &len);
    if (request == NULL) {
        perror(argv[1]);
        return 1;
    }
    /* NULL policy: the request's own policy text, else the built-in one. */
    status = payrules_run_json(NULL, request, len, &response, &response_len, &err);
    free(request);
    if (status == PAYRULES_OK || status == PAYRULES_INPUT_ERRORS) {
        fwrite(response, 1, response_len, stdout);
        putchar('\n');
        payrules_string_free(response);
    }
    if (status != PAYRULES_OK) {
        char msg[4096] = "";
        payrules_error_message(err, msg, sizeof msg, NULL); /* left empty if it does not fit */
        fprintf(stderr, "payrules: %s: %s\n", payrules_status_message(status), msg);
        payrules_error_free(err);
    }
    return status == PAYRULES_OK ? 0 : status == PAYRULES_INPUT_ERRORS ? 2 : 1;
}
