// Windows only, included before every test source (-include): the few POSIX C library calls the
// tests use, so that the test files build unchanged. (tcpkit itself needs none of them.)
#pragma once

#ifndef _WIN32
#error "tests/support/windows/ is for Windows builds only"
#endif

#include <stdlib.h>
#include <time.h>

#ifdef __cplusplus
inline time_t timegm(struct tm* parts) {
    return _mkgmtime(parts);
}

inline int setenv(const char* name, const char* value, int overwrite) {
    if (!overwrite && getenv(name) != nullptr) {
        return 0;
    }
    return _putenv_s(name, value);
}

// An empty value removes the variable from the C runtime's environment.
inline int unsetenv(const char* name) {
    return _putenv_s(name, "");
}
#endif
