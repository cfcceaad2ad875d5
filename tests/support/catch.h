// Catch2 v2 (Debian 12: catch2/catch.hpp) and v3 (Homebrew: catch2/catch_test_macros.hpp) spell
// their headers and the substring matcher differently. The build defines TCPKIT_CATCH2_MAJOR.
#pragma once

#if !defined(TCPKIT_CATCH2_MAJOR)
#error "define TCPKIT_CATCH2_MAJOR to the Catch2 major version (2 or 3)"
#elif TCPKIT_CATCH2_MAJOR >= 3
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
// REQUIRE_THROWS_WITH(expr, TCPKIT_CONTAINS("text")): the exception's message contains `text`.
#define TCPKIT_CONTAINS(text) Catch::Matchers::ContainsSubstring(text)
#define TCPKIT_ENDS_WITH(text) Catch::Matchers::EndsWith(text)
#elif TCPKIT_CATCH2_MAJOR == 2
#include <catch2/catch.hpp>
#define TCPKIT_CONTAINS(text) Catch::Matchers::Contains(text)
#define TCPKIT_ENDS_WITH(text) Catch::Matchers::EndsWith(text)
#else
#error "unsupported TCPKIT_CATCH2_MAJOR: expected 2 or 3"
#endif
