// Nicknames (chat/nickname.h): what a client types at the prompt, already valid UTF-8 as the
// session makes it. Input: two names separated by a NUL byte.
// Invariants: check_nickname, fold_nickname and nickname_lookalike_keys never throw; a bad
// character (or a leading mark) is one character of the name; mixed scripts are named; folding
// gives valid UTF-8 and is idempotent (the fold is a key, in decomposed form, not a name: 한 folds
// to its jamo, which a name may not hold); the look-alike keys are one or two, folded already, and
// two names of the same fold share the first: the room cannot be given the same name twice by a
// change of case or width.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "tcpkit/base/utf8.h"
#include "tcpkit/chat/nickname.h"

namespace {

using tcpkit::NicknameProblem;

void check_one(std::string_view name) {
    tcpkit::NicknameCheck check = tcpkit::check_nickname(name);
    if (check.problem == NicknameProblem::bad_character ||
        check.problem == NicknameProblem::starts_with_mark) {
        FUZZ_CHECK(!check.offending.empty() && check.offending.size() <= 4 &&
                       tcpkit::fuzz::is_valid_utf8(check.offending),
                   "the offending character is not one character");
        FUZZ_CHECK(name.find(check.offending) != std::string_view::npos,
                   "the offending character is not in the name");
    } else {
        FUZZ_CHECK(check.offending.empty(), "an offending character without that problem");
    }
    if (check.problem == NicknameProblem::mixed_scripts) {
        FUZZ_CHECK(!check.scripts[0].empty() && !check.scripts[1].empty() &&
                       check.scripts[0] != check.scripts[1],
                   "mixed scripts without two scripts named");
    }
    FUZZ_CHECK((check.problem == NicknameProblem::empty) == name.empty(),
               "empty is the problem of the empty name only");

    std::string folded = tcpkit::fold_nickname(name);
    FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(folded), "fold_nickname returned invalid UTF-8");
    FUZZ_CHECK(tcpkit::fold_nickname(folded) == folded, "folding is not idempotent");

    std::vector<std::string> keys = tcpkit::nickname_lookalike_keys(name);
    FUZZ_CHECK(!keys.empty() && keys.size() <= 2, "not one or two look-alike keys");
    for (const std::string& key : keys) {
        FUZZ_CHECK(tcpkit::fuzz::is_valid_utf8(key), "a look-alike key that is not UTF-8");
        FUZZ_CHECK(tcpkit::fold_nickname(key) == key, "a look-alike key that is not folded");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tcpkit::fuzz::InputSplitter input(tcpkit::fuzz::as_text(data, size));
    std::string first = tcpkit::to_valid_utf8(input.take_until('\0'));
    std::string second = tcpkit::to_valid_utf8(input.rest());
    check_one(first);
    check_one(second);
    if (tcpkit::fold_nickname(first) == tcpkit::fold_nickname(second)) {
        FUZZ_CHECK(tcpkit::nickname_lookalike_keys(first).front() ==
                       tcpkit::nickname_lookalike_keys(second).front(),
                   "two names of the same fold do not look alike");
    }
    return 0;
}
