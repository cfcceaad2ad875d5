#include "tcpkit/chat/chat_text.h"

#include <string>

#include "catch.h"

using namespace tcpkit;

TEST_CASE("trim_blanks removes spaces and tabs at both ends only", "[chat_text]") {
    CHECK(trim_blanks("  a b \t") == "a b");
    CHECK(trim_blanks("") == "");
    CHECK(trim_blanks(" \t ") == "");
}
