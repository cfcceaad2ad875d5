#include "tcpkit/terminal/keyboard_decoder.h"

#include <string>

#include "catch.h"

using namespace tcpkit;

namespace {

// Every character available now, as UTF-32.
std::u32string take_all(KeyboardDecoder& keys) {
    std::u32string taken;
    while (auto key = keys.next()) {
        taken += *key;
    }
    return taken;
}

}  // namespace

TEST_CASE("KeyboardDecoder passes keys through as characters", "[keyboard_decoder]") {
    KeyboardDecoder keys;
    keys.add("a\x1b[D\x7f\x03");
    CHECK(take_all(keys) == U"a\x1b[D\x7f\x03");
    keys.add("你好");
    CHECK(take_all(keys) == U"你好");
    CHECK(keys.empty());
}

TEST_CASE("KeyboardDecoder waits for the rest of a character, then gives up on it",
          "[keyboard_decoder]") {
    KeyboardDecoder keys;
    keys.add("x\xe4\xbd");
    CHECK(take_all(keys) == U"x");
    keys.add("\xa0");
    CHECK(take_all(keys) == U"你");
    keys.add("\xe4");
    CHECK(take_all(keys).empty());
    keys.release_held();
    CHECK(take_all(keys) == U"\uFFFD");
    keys.add("\xff!");
    CHECK(take_all(keys) == U"\uFFFD!");
}

TEST_CASE("KeyboardDecoder makes a bracketed paste plain text", "[keyboard_decoder]") {
    KeyboardDecoder keys;
    keys.add("\x1b[200~one\r\ntwo\tTAB\rthree\x1b[31m\x08\nfour\x1b[201~\x1b[A");
    CHECK(take_all(keys) == U"one\ntwo\tTAB\nthree[31m\nfour\x1b[A");
    CHECK(!keys.in_paste());
}

TEST_CASE("KeyboardDecoder holds what may be a paste marker until it is known",
          "[keyboard_decoder]") {
    KeyboardDecoder keys;
    keys.add("\x1b[20");
    CHECK(take_all(keys).empty());
    keys.add("0~pasted\x1b[2");
    CHECK(take_all(keys) == U"pasted");
    CHECK(keys.in_paste());
    keys.add("01~");
    CHECK(take_all(keys).empty());
    CHECK(!keys.in_paste());
    // A lone ESC could start a marker: taken as it is once nothing more comes.
    keys.add("\x1b");
    CHECK(take_all(keys).empty());
    keys.release_held();
    CHECK(take_all(keys) == U"\x1b");
}
