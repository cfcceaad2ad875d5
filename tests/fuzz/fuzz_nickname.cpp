// Nicknames (chat/nickname.h): what a client types at the prompt, already valid UTF-8 as the
// session makes it. Input: two names separated by a NUL byte.
// Invariants: check_nickname and fold_nickname never throw; a bad character is one character
// of the name; folding gives valid UTF-8, is idempotent, and keeps a good name good. Where
// nickname_key exists (the key two names in a room may not share): it is idempotent, and two
// names with the same fold have the same key.
#include <string>

#include "fuzz_support.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/nickname.h"

// nickname_key is found by argument-dependent lookup on this type, so that this file builds
// both before and after the chat layer has it.
namespace tcpkit {
struct FuzzedName {
    std::string_view text;
    operator std::string_view() const { return text; }
};
}  // namespace tcpkit

namespace {

template <typename Name>
auto check_keys_of(const Name& first, const Name& second, int)
    -> decltype(nickname_key(first), void()) {
    std::string first_key = nickname_key(first);
    std::string second_key = nickname_key(second);
    FUZZ_CHECK(nickname_key(Name{first_key}) == first_key, "nickname_key is not idempotent");
    if (tcpkit::fold_nickname(first.text) == tcpkit::fold_nickname(second.text)) {
        FUZZ_CHECK(first_key == second_key, "names of the same fold have different keys");
    }
}

template <typename Name>
void check_keys_of(const Name&, const Name&, long) {}  // no nickname_key yet

void check_keys(std::string_view first, std::string_view second) {
    check_keys_of(tcpkit::FuzzedName{first}, tcpkit::FuzzedName{second}, 0);
}

void check_one(std::string_view name) {
    tcpkit::NicknameCheck check = tcpkit::check_nickname(name);
    if (check.problem == tcpkit::NicknameProblem::bad_character) {
        FUZZ_CHECK(!check.offending.empty() && check.offending.size() <= 4,
                   "the offending character is not one character");
        FUZZ_CHECK(name.find(check.offending) != std::string_view::npos,
                   "the offending character is not in the name");
    } else {
        FUZZ_CHECK(check.offending.empty(), "an offending character without that problem");
    }
    FUZZ_CHECK((check.problem == tcpkit::NicknameProblem::empty) == name.empty(),
               "empty is the problem of the empty name only");

    std::string folded = tcpkit::fold_nickname(name);
    FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(folded), "fold_nickname returned invalid UTF-8");
    FUZZ_CHECK(tcpkit::fold_nickname(folded) == folded, "folding is not idempotent");
    if (check) {
        FUZZ_CHECK(tcpkit::check_nickname(folded).problem != tcpkit::NicknameProblem::bad_character,
                   "folding a good name gave a bad character");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string first = tcpkit::to_valid_utf8(input.take_until('\0'));
    std::string second = tcpkit::to_valid_utf8(input.rest());
    check_one(first);
    check_one(second);
    check_keys(first, second);
    return 0;
}
