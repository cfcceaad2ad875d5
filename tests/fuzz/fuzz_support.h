// What every fuzz target shares: checks that abort with a message (so libFuzzer, and the corpus
// replay of `make test`, report a broken invariant as a crash with its input), a reader that
// splits one fuzz input into the decisions a target needs (chunk sizes, modes) and its payload,
// and the invariants several targets check (valid UTF-8, text inert on a terminal).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tcpkit/base/terminal_text.h"
#include "tcpkit/base/utf8.h"

// The entry point libFuzzer calls, and the replay main (replay_main.cpp) too.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace tcpkit::fuzz {

[[noreturn]] inline void fail(const char* condition, const char* file, int line,
                              std::string_view why) {
    std::fprintf(stderr, "%s:%d: invariant broken: %s (%.*s)\n", file, line, condition,
                 static_cast<int>(why.size()), why.data());
    std::fflush(stderr);
    std::abort();
}

// A plain if, so that the check stays in release builds, unlike assert().
#define FUZZ_CHECK(condition, why)                                     \
    do {                                                               \
        if (!(condition)) {                                            \
            ::tcpkit::fuzz::fail(#condition, __FILE__, __LINE__, why); \
        }                                                              \
    } while (false)

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Takes decisions from the front of the input and leaves the rest as the payload. When the
// input runs out, every decision is 0, so short inputs stay meaningful.
class InputSplitter {
  public:
    explicit InputSplitter(std::string_view input) : rest_(input) {}

    std::uint8_t take_byte() {
        if (rest_.empty()) {
            return 0;
        }
        auto byte = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return byte;
    }

    // The text up to the first `separator` (or all of it), and the separator itself dropped.
    std::string_view take_until(char separator) {
        std::size_t end = rest_.find(separator);
        std::string_view part = rest_.substr(0, end);
        rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
        return part;
    }

    // The sizes for for_each_chunk, as the targets that feed a reader in pieces lay them out:
    // a count byte (mod 32), then that many size bytes. The committed corpora use this layout.
    std::string take_chunk_sizes() {
        std::size_t count = take_byte() % 32;
        std::string sizes;
        for (std::size_t i = 0; i < count; ++i) {
            sizes += static_cast<char>(take_byte());
        }
        return sizes;
    }

    std::string_view rest() const { return rest_; }

  private:
    std::string_view rest_;
};

// Cuts `payload` into chunks whose sizes come from `sizes` (one byte each; 0 means a chunk of
// 0 bytes, which a reader must accept too), the last chunk taking what is left. Calls
// `on_chunk(std::string_view)` for each, so that a target can compare a chunked feed with a
// one-shot one.
template <typename OnChunk>
void for_each_chunk(std::string_view payload, std::string_view sizes, OnChunk&& on_chunk) {
    for (char size_byte : sizes) {
        if (payload.empty()) {
            break;
        }
        std::size_t size = static_cast<unsigned char>(size_byte) % 32;
        std::string_view chunk = payload.substr(0, size);
        payload.remove_prefix(chunk.size());
        on_chunk(chunk);
    }
    on_chunk(payload);
}

// Whether `text` is valid UTF-8: what to_valid_utf8 must return, checked here with a decoder
// of its own rather than with the code under test.
inline bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
    while (i < text.size()) {
        unsigned char lead = byte(i);
        std::size_t length = 0;
        std::uint32_t value = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if (lead >= 0xC0 && lead < 0xE0) {
            length = 2;
            value = lead & 0x1F;
        } else if (lead >= 0xE0 && lead < 0xF0) {
            length = 3;
            value = lead & 0x0F;
        } else if (lead >= 0xF0 && lead < 0xF8) {
            length = 4;
            value = lead & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((byte(i + k) & 0xC0) != 0x80) {
                return false;
            }
            value = (value << 6) | (byte(i + k) & 0x3F);
        }
        constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (value < smallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

// Checks that no code point of `text` (valid UTF-8) acts on a terminal: no C0 control but tab,
// no DEL, no C1 control, no bidirectional override or isolate, and no ESC unless `keep_colour`,
// where ESC may only start a whole SGR sequence, which is skipped.
inline void check_inert_on_terminal(std::string_view text, bool keep_colour) {
    std::size_t position = 0;
    while (position < text.size()) {
        if (text[position] == '\x1b') {
            FUZZ_CHECK(keep_colour, "ESC reached the terminal");
            std::size_t length = tcpkit::colour_sequence_length(text.substr(position));
            FUZZ_CHECK(length > 0, "ESC that does not start a colour sequence");
            position += length;
            continue;
        }
        char32_t c = tcpkit::next_code_point(text, position);
        FUZZ_CHECK(c == '\t' || c >= 0x20, "a C0 control reached the terminal");
        FUZZ_CHECK(c != 0x7F, "DEL reached the terminal");
        FUZZ_CHECK(c < 0x80 || c > 0x9F, "a C1 control reached the terminal");
        FUZZ_CHECK(!(c >= 0x202A && c <= 0x202E) && !(c >= 0x2066 && c <= 0x2069),
                   "a bidirectional control reached the terminal");
    }
}

}  // namespace tcpkit::fuzz
