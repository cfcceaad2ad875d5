// CrlfTranslator (`connect --crlf`): every line end goes out as CRLF, whatever the chunking.
#include "tcpkit/codec/crlf_translator.h"

#include <string>
#include <vector>

#include "catch.h"

using tcpkit::CrlfTranslator;

namespace {

std::string translate_all(const std::vector<std::string>& chunks) {
    CrlfTranslator translator;
    std::string out;
    for (const auto& chunk : chunks) {
        translator.translate(chunk, out);
    }
    return out;
}

}  // namespace

TEST_CASE("CrlfTranslator turns each bare LF into CRLF", "[crlf]") {
    CHECK(translate_all({"a\nb\n"}) == "a\r\nb\r\n");
    CHECK(translate_all({"\n"}) == "\r\n");
    CHECK(translate_all({"\n\n\n"}) == "\r\n\r\n\r\n");
    CHECK(translate_all({"no line end"}) == "no line end");
    CHECK(translate_all({""}).empty());
}

TEST_CASE("CrlfTranslator leaves an existing CRLF alone", "[crlf]") {
    CHECK(translate_all({"a\r\nb\r\n"}) == "a\r\nb\r\n");
    CHECK(translate_all({"a\r\nb\nc\r\n"}) == "a\r\nb\r\nc\r\n");
    CHECK(translate_all({"\r\r\n"}) == "\r\r\n");
}

TEST_CASE("CrlfTranslator does not double a CRLF split across calls", "[crlf]") {
    CHECK(translate_all({"a\r", "\nb"}) == "a\r\nb");
    CHECK(translate_all({"\r", "\n"}) == "\r\n");
    // An empty chunk between the CR and the LF does not make it forget the CR.
    CHECK(translate_all({"a\r", "", "\n"}) == "a\r\n");
    // Byte by byte gives the same as all at once.
    const std::string text = "one\r\ntwo\nthree\r\r\n\n";
    std::vector<std::string> bytes;
    for (char c : text) {
        bytes.emplace_back(1, c);
    }
    CHECK(translate_all(bytes) == translate_all({text}));
    CHECK(translate_all({text}) == "one\r\ntwo\r\nthree\r\r\n\r\n");
}

TEST_CASE("CrlfTranslator leaves a lone CR as it is", "[crlf]") {
    CHECK(translate_all({"a\rb"}) == "a\rb");
    CHECK(translate_all({"a\r"}) == "a\r");
    CHECK(translate_all({"\r"}) == "\r");
    // A CR that ended the previous chunk only pairs with an LF that comes right after it.
    CHECK(translate_all({"a\r", "b\n"}) == "a\rb\r\n");
    CHECK(translate_all({"a\r", "\r", "\n"}) == "a\r\r\n");
}

TEST_CASE("CrlfTranslator appends to what the output already holds", "[crlf]") {
    CrlfTranslator translator;
    std::string out = "kept:";
    translator.translate("x\n", out);
    CHECK(out == "kept:x\r\n");
    translator.translate("y\n", out);
    CHECK(out == "kept:x\r\ny\r\n");
}

TEST_CASE("CrlfTranslator passes other bytes through, NUL and high bytes included", "[crlf]") {
    const std::string in("\x00\xff\t\x1b\n", 5);
    const std::string expected("\x00\xff\t\x1b\r\n", 6);
    CHECK(translate_all({in}) == expected);
}

TEST_CASE("Each CrlfTranslator remembers only its own last byte", "[crlf]") {
    CrlfTranslator first;
    CrlfTranslator second;
    std::string out_first;
    std::string out_second;
    first.translate("a\r", out_first);
    second.translate("\n", out_second);
    first.translate("\n", out_first);
    CHECK(out_first == "a\r\n");
    CHECK(out_second == "\r\n");
}
