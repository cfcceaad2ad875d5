// Scratch files for the tests that move whole files through tcpkit: one removed when the test
// ends, filled with random bytes, and compared with what came back.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "catch.h"

namespace tcpkit::test {

// A scratch file that is removed when the test ends.
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

inline void write_random_file(const std::string& path, std::size_t total) {
    std::ofstream file(path, std::ios::binary);
    std::mt19937_64 random(10);
    std::string block(1 << 20, '\0');
    for (std::size_t written = 0; written < total; written += block.size()) {
        for (std::size_t i = 0; i < block.size(); i += 8) {
            auto value = random();
            std::memcpy(&block[i], &value, 8);
        }
        file.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
}

// Compares two files a mebibyte at a time; both must have `total` bytes.
inline void require_same_contents(const std::string& expected_path, const std::string& actual_path,
                                  std::size_t total) {
    std::ifstream expected(expected_path, std::ios::binary);
    std::ifstream actual(actual_path, std::ios::binary);
    std::string a(1 << 20, '\0');
    std::string b(1 << 20, '\0');
    std::size_t compared = 0;
    while (expected.read(a.data(), static_cast<std::streamsize>(a.size()))) {
        actual.read(b.data(), static_cast<std::streamsize>(b.size()));
        REQUIRE(actual.gcount() == static_cast<std::streamsize>(b.size()));
        REQUIRE(a == b);
        compared += a.size();
    }
    REQUIRE(compared == total);
    REQUIRE(actual.peek() == std::char_traits<char>::eof());
}

}  // namespace tcpkit::test
