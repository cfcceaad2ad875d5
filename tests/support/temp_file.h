// A scratch file that is removed when the test ends.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace tcpkit::test {

struct TempFile {
    TempFile() {
        char name[] = "/tmp/tcpkit-test-XXXXXX";
        int fd = ::mkstemp(name);
        ::close(fd);
        path = name;
    }
    ~TempFile() { std::remove(path.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::string path;
};

}  // namespace tcpkit::test
