// Catch2 v2 (Debian 12) and v3 (Homebrew) spell their header differently.
#pragma once

#if defined(TCPKIT_CATCH2_MAJOR) && TCPKIT_CATCH2_MAJOR >= 3
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#define TCPKIT_CONTAINS(text) Catch::Matchers::ContainsSubstring(text)
#else
#include <catch2/catch.hpp>
#define TCPKIT_CONTAINS(text) Catch::Matchers::Contains(text)
#endif
