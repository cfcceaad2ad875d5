// Logger: text lines with or without timestamps, level filtering, colour, and JSON lines.
#include "tcpkit/base/logger.h"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "catch.h"
#include "tcpkit/base/utf8.h"

using tcpkit::ColorMode;
using tcpkit::json_escape;
using tcpkit::LogFormat;
using tcpkit::Logger;
using tcpkit::LoggerOptions;
using tcpkit::LogLevel;

namespace {

// A Logger whose lines go to `lines` instead of stderr.
struct Capture {
    std::vector<std::string> lines;
    Logger logger;

    explicit Capture(LoggerOptions options)
        : logger(std::move(options), [this](std::string_view line) { lines.emplace_back(line); }) {}
};

LoggerOptions text_options(bool timestamps, LogLevel min_level = LogLevel::info,
                           ColorMode color = ColorMode::never) {
    LoggerOptions options;
    options.format = LogFormat::text;
    options.timestamps = timestamps;
    options.min_level = min_level;
    options.color = color;
    return options;
}

LoggerOptions json_options(LogLevel min_level = LogLevel::info) {
    LoggerOptions options;
    options.format = LogFormat::json;
    options.min_level = min_level;
    options.color = ColorMode::never;
    return options;
}

// Every level once, with the level's name as the message.
void log_each_level(Logger& logger) {
    logger.debug("debug message");
    logger.info("info message");
    logger.status("status message");
    logger.warn("warn message");
    logger.error("error message");
}

long long now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr std::size_t timestamp_size = sizeof("2024-01-31T23:59:59.123Z") - 1;

// Milliseconds since the epoch of an RFC 3339 UTC timestamp with milliseconds, or nothing if
// `text` is not exactly one.
std::optional<long long> parse_timestamp(const std::string& text) {
    static const std::regex pattern(
        R"(^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$)");
    std::smatch match;
    if (!std::regex_match(text, match, pattern)) {
        return std::nullopt;
    }
    std::tm parts{};
    parts.tm_year = std::stoi(match[1]) - 1900;
    parts.tm_mon = std::stoi(match[2]) - 1;
    parts.tm_mday = std::stoi(match[3]);
    parts.tm_hour = std::stoi(match[4]);
    parts.tm_min = std::stoi(match[5]);
    parts.tm_sec = std::stoi(match[6]);
    if (parts.tm_mon > 11 || parts.tm_mday < 1 || parts.tm_mday > 31 || parts.tm_hour > 23 ||
        parts.tm_min > 59 || parts.tm_sec > 60) {
        return std::nullopt;
    }
    return static_cast<long long>(timegm(&parts)) * 1000 + std::stoi(match[7]);
}

// Checks that `timestamp` is a UTC timestamp taken between `before` and `after`.
void check_timestamp(const std::string& timestamp, long long before, long long after) {
    INFO("timestamp '" << timestamp << "'");
    auto stamped = parse_timestamp(timestamp);
    REQUIRE(stamped.has_value());
    CHECK(*stamped >= before);
    CHECK(*stamped <= after);
}

// Sets TZ for the lifetime of the object, so that a timestamp in local time would show.
class ScopedTimeZone {
  public:
    explicit ScopedTimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) {
            old_ = old;
        }
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ScopedTimeZone() {
        if (old_) {
            setenv("TZ", old_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    ScopedTimeZone(const ScopedTimeZone&) = delete;
    ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

  private:
    std::optional<std::string> old_;
};

bool is_valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = c < 0x80           ? 1
                             : (c >> 5) == 0x6  ? 2
                             : (c >> 4) == 0xe  ? 3
                             : (c >> 3) == 0x1e ? 4
                                                : 0;
        if (length == 0 || (length == 2 && c < 0xc2) || i + length > text.size()) {
            return false;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) {
                return false;
            }
        }
        i += length;
    }
    return true;
}

// A strict reader of one flat JSON object whose values are all strings, which is what every
// JSON log line is. Returns the members in order, decoded, or nothing if `text` is not exactly
// such an object (raw control characters, bad escapes, trailing bytes and so on).
class FlatJsonReader {
  public:
    using Members = std::vector<std::pair<std::string, std::string>>;

    static std::optional<Members> read(std::string_view text) {
        FlatJsonReader reader(text);
        Members members;
        reader.skip_space();
        if (!reader.take('{')) {
            return std::nullopt;
        }
        reader.skip_space();
        if (!reader.take('}')) {
            while (true) {
                reader.skip_space();
                auto key = reader.string();
                reader.skip_space();
                if (!key || !reader.take(':')) {
                    return std::nullopt;
                }
                reader.skip_space();
                auto value = reader.string();
                if (!value) {
                    return std::nullopt;
                }
                members.emplace_back(std::move(*key), std::move(*value));
                reader.skip_space();
                if (reader.take('}')) {
                    break;
                }
                if (!reader.take(',')) {
                    return std::nullopt;
                }
            }
        }
        reader.skip_space();
        if (reader.at_ != reader.text_.size()) {
            return std::nullopt;
        }
        return members;
    }

  private:
    explicit FlatJsonReader(std::string_view text) : text_(text) {}

    bool take(char c) {
        if (at_ < text_.size() && text_[at_] == c) {
            ++at_;
            return true;
        }
        return false;
    }

    void skip_space() {
        while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t' ||
                                      text_[at_] == '\n' || text_[at_] == '\r')) {
            ++at_;
        }
    }

    std::optional<unsigned> hex4() {
        if (at_ + 4 > text_.size()) {
            return std::nullopt;
        }
        unsigned value = 0;
        for (int k = 0; k < 4; ++k) {
            char c = text_[at_++];
            value <<= 4;
            if (c >= '0' && c <= '9') {
                value |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                value |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                value |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                return std::nullopt;
            }
        }
        return value;
    }

    std::optional<std::string> string() {
        if (!take('"')) {
            return std::nullopt;
        }
        std::string out;
        while (at_ < text_.size()) {
            const auto c = static_cast<unsigned char>(text_[at_++]);
            if (c == '"') {
                return out;
            }
            if (c < 0x20) {
                return std::nullopt;  // control characters must be escaped
            }
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (at_ >= text_.size()) {
                return std::nullopt;
            }
            switch (text_[at_++]) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    auto code = hex4();
                    if (!code) {
                        return std::nullopt;
                    }
                    if (*code >= 0xd800 && *code < 0xdc00) {
                        if (!take('\\') || !take('u')) {
                            return std::nullopt;
                        }
                        auto low = hex4();
                        if (!low || *low < 0xdc00 || *low > 0xdfff) {
                            return std::nullopt;
                        }
                        *code = 0x10000 + ((*code - 0xd800) << 10) + (*low - 0xdc00);
                    } else if (*code >= 0xdc00 && *code <= 0xdfff) {
                        return std::nullopt;
                    }
                    tcpkit::append_utf8(out, static_cast<char32_t>(*code));
                    break;
                }
                default:
                    return std::nullopt;
            }
        }
        return std::nullopt;  // unterminated
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

// Checks that `line` is one JSON log object and a newline, and returns its members.
FlatJsonReader::Members read_json_line(const std::string& line) {
    INFO("line: " << line);
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\n');
    REQUIRE(line.find('\n') == line.size() - 1);
    REQUIRE(line.find('\r') == std::string::npos);
    REQUIRE(is_valid_utf8(line));
    auto members = FlatJsonReader::read(std::string_view(line).substr(0, line.size() - 1));
    REQUIRE(members.has_value());
    return *members;
}

std::vector<std::string> keys_of(const FlatJsonReader::Members& members) {
    std::vector<std::string> keys;
    for (const auto& member : members) {
        keys.push_back(member.first);
    }
    return keys;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("Logger text lines without timestamps read `program: message`", "[logger]") {
    Capture capture(text_options(false, LogLevel::debug));
    log_each_level(capture.logger);
    CHECK(capture.lines == Lines{
                               "tcpkit: debug message\n",
                               "tcpkit: info message\n",
                               "tcpkit: status message\n",
                               "tcpkit: warning: warn message\n",
                               "tcpkit: error: error message\n",
                           });
}

TEST_CASE("Logger uses the program name it is given", "[logger]") {
    LoggerOptions options = text_options(false);
    options.program = "tcpkit-send";
    Capture capture(options);
    capture.logger.info("hello");
    capture.logger.error("bad");
    CHECK(capture.lines == Lines{"tcpkit-send: hello\n", "tcpkit-send: error: bad\n"});
}

TEST_CASE("Logger formats its arguments with fmt", "[logger]") {
    Capture capture(text_options(false));
    capture.logger.info("{} + {} = {}", 1, 2, 3);
    capture.logger.warn("refused {}: limit of {} reached", "127.0.0.1:5000", 64);
    // Braces in an argument are data, not format.
    capture.logger.info("{}", "{not a field}");
    CHECK(capture.lines == Lines{
                               "tcpkit: 1 + 2 = 3\n",
                               "tcpkit: warning: refused 127.0.0.1:5000: limit of 64 reached\n",
                               "tcpkit: {not a field}\n",
                           });
}

TEST_CASE("Logger text lines with timestamps read `time level message`", "[logger]") {
    // In a zone far from UTC, so that a timestamp in local time would not pass.
    ScopedTimeZone zone("TST-5:30");
    Capture capture(text_options(true, LogLevel::debug));
    const long long before = now_ms();
    log_each_level(capture.logger);
    const long long after = now_ms();

    const Lines expected_rest = {
        " debug debug message\n", " info  info message\n",  " info  status message\n",
        " warn  warn message\n",  " error error message\n",
    };
    REQUIRE(capture.lines.size() == expected_rest.size());
    for (std::size_t i = 0; i < capture.lines.size(); ++i) {
        const std::string& line = capture.lines[i];
        INFO("line: " << line);
        REQUIRE(line.size() > timestamp_size);
        check_timestamp(line.substr(0, timestamp_size), before, after);
        CHECK(line.substr(timestamp_size) == expected_rest[i]);
    }
}

TEST_CASE("Logger with timestamps does not print the program name", "[logger]") {
    LoggerOptions options = text_options(true);
    options.program = "myprog";
    Capture capture(options);
    capture.logger.info("hello");
    REQUIRE(capture.lines.size() == 1);
    CHECK(capture.lines[0].find("myprog") == std::string::npos);
    CHECK(capture.lines[0].substr(timestamp_size) == " info  hello\n");
}

TEST_CASE("Logger shows info and above by default", "[logger]") {
    Capture capture(text_options(false, LogLevel::info));
    log_each_level(capture.logger);
    CHECK(capture.lines == Lines{
                               "tcpkit: info message\n",
                               "tcpkit: status message\n",
                               "tcpkit: warning: warn message\n",
                               "tcpkit: error: error message\n",
                           });
    CHECK_FALSE(capture.logger.enabled(LogLevel::debug));
    CHECK(capture.logger.enabled(LogLevel::info));
}

TEST_CASE("Logger default options are info level, text, timestamps, program tcpkit", "[logger]") {
    const LoggerOptions defaults;
    CHECK(defaults.min_level == LogLevel::info);
    CHECK(defaults.format == LogFormat::text);
    CHECK(defaults.color == ColorMode::automatic);
    CHECK(defaults.timestamps);
    CHECK(defaults.program == "tcpkit");
}

TEST_CASE("Logger at debug level shows everything", "[logger]") {
    Capture capture(text_options(false, LogLevel::debug));
    log_each_level(capture.logger);
    CHECK(capture.lines.size() == 5);
    for (LogLevel level :
         {LogLevel::debug, LogLevel::info, LogLevel::status, LogLevel::warn, LogLevel::error}) {
        CHECK(capture.logger.enabled(level));
    }
}

TEST_CASE("Logger at warn level (--quiet) still shows status lines", "[logger]") {
    Capture capture(text_options(false, LogLevel::warn));
    log_each_level(capture.logger);
    CHECK(capture.lines == Lines{
                               "tcpkit: status message\n",
                               "tcpkit: warning: warn message\n",
                               "tcpkit: error: error message\n",
                           });
    CHECK_FALSE(capture.logger.enabled(LogLevel::debug));
    CHECK_FALSE(capture.logger.enabled(LogLevel::info));
    CHECK(capture.logger.enabled(LogLevel::status));
    CHECK(capture.logger.enabled(LogLevel::warn));
    CHECK(capture.logger.enabled(LogLevel::error));
}

TEST_CASE("Logger::write filters by level like the formatting helpers", "[logger]") {
    Capture capture(text_options(false, LogLevel::warn));
    capture.logger.write(LogLevel::debug, "d");
    capture.logger.write(LogLevel::info, "i");
    capture.logger.write(LogLevel::status, "s");
    capture.logger.write(LogLevel::warn, "w");
    capture.logger.write(LogLevel::error, "e");
    CHECK(capture.lines == Lines{"tcpkit: s\n", "tcpkit: warning: w\n", "tcpkit: error: e\n"});
}

TEST_CASE("Logger::configure changes level, format and program of later lines", "[logger]") {
    Capture capture(text_options(false, LogLevel::info));
    capture.logger.debug("hidden");
    capture.logger.info("first");
    LoggerOptions verbose = text_options(false, LogLevel::debug);
    verbose.program = "other";
    capture.logger.configure(verbose);
    capture.logger.debug("shown");
    capture.logger.configure(json_options());
    capture.logger.info("as json");
    REQUIRE(capture.lines.size() == 3);
    CHECK(capture.lines[0] == "tcpkit: first\n");
    CHECK(capture.lines[1] == "other: shown\n");
    auto members = read_json_line(capture.lines[2]);
    CHECK(keys_of(members) == Lines{"time", "level", "program", "message"});
    CHECK(members[3].second == "as json");
}

TEST_CASE("Logger JSON lines are one JSON object per line", "[logger][json]") {
    ScopedTimeZone zone("TST-5:30");
    Capture capture(json_options(LogLevel::debug));
    const long long before = now_ms();
    log_each_level(capture.logger);
    const long long after = now_ms();

    const std::vector<std::pair<std::string, std::string>> expected = {
        {"debug", "debug message"}, {"info", "info message"},   {"info", "status message"},
        {"warn", "warn message"},   {"error", "error message"},
    };
    REQUIRE(capture.lines.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::string& line = capture.lines[i];
        INFO("line: " << line);
        auto members = read_json_line(line);
        REQUIRE(keys_of(members) == Lines{"time", "level", "program", "message"});
        check_timestamp(members[0].second, before, after);
        CHECK(members[1].second == expected[i].first);
        CHECK(members[2].second == "tcpkit");
        CHECK(members[3].second == expected[i].second);
        // And byte for byte, with no spaces.
        CHECK(line == R"({"time":")" + members[0].second + R"(","level":")" + expected[i].first +
                          R"(","program":"tcpkit","message":")" + expected[i].second + "\"}\n");
    }
}

TEST_CASE("Logger JSON lines escape quotes, backslashes and control characters", "[logger][json]") {
    Capture capture(json_options());
    const std::string message =
        std::string("say \"hi\" C:\\path\nnext\rline\ttab\x01\x1b[31m\x1f\x7f end") +
        std::string(1, '\0') + "after nul";
    capture.logger.info("{}", message);
    REQUIRE(capture.lines.size() == 1);
    const std::string& line = capture.lines[0];
    auto members = read_json_line(line);
    REQUIRE(members.size() == 4);
    CHECK(members[3].first == "message");
    CHECK(members[3].second == message);  // decodes back to exactly what was logged
    CHECK(line.find(R"("message":"say \"hi\" C:\\path\nnext\rline\ttab)") != std::string::npos);
    CHECK(line.find('\x1b') == std::string::npos);
    CHECK(line.find('\x7f') == std::string::npos);
    CHECK(line.find('\0') == std::string::npos);
}

TEST_CASE("Logger JSON lines escape the program name too", "[logger][json]") {
    LoggerOptions options = json_options();
    options.program = "odd \"name\"\\";
    Capture capture(options);
    capture.logger.warn("w");
    REQUIRE(capture.lines.size() == 1);
    auto members = read_json_line(capture.lines[0]);
    REQUIRE(members.size() == 4);
    CHECK(members[2].second == "odd \"name\"\\");
    CHECK(capture.lines[0].find(R"("program":"odd \"name\"\\")") != std::string::npos);
}

TEST_CASE("Logger JSON lines keep UTF-8 text", "[logger][json]") {
    Capture capture(json_options());
    const std::string message = "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80";
    capture.logger.info("{}", message);
    REQUIRE(capture.lines.size() == 1);
    auto members = read_json_line(capture.lines[0]);
    CHECK(members[3].second == message);
}

// Regression: found by this test and fixed.
TEST_CASE("Logger JSON lines stay valid JSON when the message is not UTF-8", "[logger][json]") {
    Capture capture(json_options());
    capture.logger.error("invalid port '{}': expected a number from 0 to 65535", "\xff\xfe");
    REQUIRE(capture.lines.size() == 1);
    INFO("line: " << capture.lines[0]);
    CHECK(is_valid_utf8(capture.lines[0]));
    CHECK(FlatJsonReader::read(
              std::string_view(capture.lines[0]).substr(0, capture.lines[0].size() - 1))
              .has_value());
}

TEST_CASE("Logger JSON lines are never coloured and always have a time", "[logger][json]") {
    LoggerOptions options = json_options();
    options.color = ColorMode::always;
    options.timestamps = false;
    Capture capture(options);
    capture.logger.error("e");
    capture.logger.info("i");
    REQUIRE(capture.lines.size() == 2);
    for (const auto& line : capture.lines) {
        CHECK(line.find('\x1b') == std::string::npos);
        auto members = read_json_line(line);
        REQUIRE(keys_of(members) == Lines{"time", "level", "program", "message"});
        CHECK(parse_timestamp(members[0].second).has_value());
    }
}

TEST_CASE("json_escape escapes exactly what JSON requires", "[logger][json]") {
    CHECK(json_escape("plain text / 123") == "plain text / 123");
    CHECK(json_escape("").empty());
    CHECK(json_escape("\"") == "\\\"");
    CHECK(json_escape("\\") == "\\\\");
    CHECK(json_escape("\n") == "\\n");
    CHECK(json_escape("\r") == "\\r");
    CHECK(json_escape("\t") == "\\t");
    CHECK(json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
    // Every other control character becomes an escape that decodes back to it.
    for (int c = 0; c < 0x20; ++c) {
        const std::string raw(1, static_cast<char>(c));
        const std::string escaped = json_escape(raw);
        INFO("byte " << c << " escaped as " << escaped);
        for (char e : escaped) {
            CHECK(static_cast<unsigned char>(e) >= 0x20);
        }
        auto decoded = FlatJsonReader::read("{\"k\":\"" + escaped + "\"}");
        REQUIRE(decoded.has_value());
        CHECK((*decoded)[0].second == raw);
    }
    CHECK(json_escape(std::string(1, '\0')) == "\\u0000");
    CHECK(json_escape("\x01") == "\\u0001");
    CHECK(json_escape("\x1f") == "\\u001f");
    CHECK(json_escape("\x7f") == "\\u007f");
}

TEST_CASE("json_escape escapes the C1 controls, which a terminal would obey", "[logger][json]") {
    CHECK(json_escape("\xc2\x80") == "\\u0080");
    CHECK(json_escape("red \xc2\x9b"
                      "31m") == "red \\u009b31m");  // CSI
    CHECK(json_escape("\xc2\x85\xc2\x9f") == "\\u0085\\u009f");
    CHECK(json_escape("\xc2\xa0\xc2\xbf") == "\xc2\xa0\xc2\xbf");  // no-break space, ¿: text
    CHECK(json_escape("\x9b") == "\xef\xbf\xbd");                  // a lone byte is not C1
}

TEST_CASE("Logger colours only with ColorMode::always", "[logger][color]") {
    SECTION("always, with timestamps: the level name is coloured") {
        Capture capture(text_options(true, LogLevel::debug, ColorMode::always));
        log_each_level(capture.logger);
        const Lines expected_rest = {
            " \x1b[2mdebug\x1b[0m debug message\n",    " \x1b[32minfo \x1b[0m info message\n",
            " \x1b[32minfo \x1b[0m status message\n",  " \x1b[33mwarn \x1b[0m warn message\n",
            " \x1b[1;31merror\x1b[0m error message\n",
        };
        REQUIRE(capture.lines.size() == expected_rest.size());
        for (std::size_t i = 0; i < expected_rest.size(); ++i) {
            INFO("line: " << capture.lines[i]);
            REQUIRE(capture.lines[i].size() > timestamp_size);
            CHECK(parse_timestamp(capture.lines[i].substr(0, timestamp_size)).has_value());
            CHECK(capture.lines[i].substr(timestamp_size) == expected_rest[i]);
        }
    }
    SECTION("always, without timestamps: only the warning and error labels are coloured") {
        Capture capture(text_options(false, LogLevel::debug, ColorMode::always));
        log_each_level(capture.logger);
        CHECK(capture.lines == Lines{
                                   "tcpkit: debug message\n",
                                   "tcpkit: info message\n",
                                   "tcpkit: status message\n",
                                   "tcpkit: \x1b[33mwarning\x1b[0m: warn message\n",
                                   "tcpkit: \x1b[1;31merror\x1b[0m: error message\n",
                               });
    }
    SECTION("never, and automatic (a sink is not a terminal): no colour at all") {
        for (ColorMode mode : {ColorMode::never, ColorMode::automatic}) {
            for (bool timestamps : {true, false}) {
                INFO("mode " << static_cast<int>(mode) << ", timestamps " << timestamps);
                Capture capture(text_options(timestamps, LogLevel::debug, mode));
                log_each_level(capture.logger);
                REQUIRE(capture.lines.size() == 5);
                for (const auto& line : capture.lines) {
                    CHECK(line.find('\x1b') == std::string::npos);
                }
            }
        }
    }
}

TEST_CASE("Logger colour follows configure", "[logger][color]") {
    Capture capture(text_options(false, LogLevel::info, ColorMode::always));
    capture.logger.warn("a");
    capture.logger.configure(text_options(false, LogLevel::info, ColorMode::never));
    capture.logger.warn("b");
    CHECK(capture.lines == Lines{"tcpkit: \x1b[33mwarning\x1b[0m: a\n", "tcpkit: warning: b\n"});
}

TEST_CASE("Logger hands the sink one whole line per call, even from many threads", "[logger]") {
    // The sink is not thread-safe on purpose: the logger must serialise the calls.
    Capture capture(text_options(false));
    constexpr int threads = 4;
    constexpr int lines_per_thread = 250;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&capture, t] {
            for (int n = 0; n < lines_per_thread; ++n) {
                capture.logger.info("thread {} line {}", t, n);
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    REQUIRE(capture.lines.size() == threads * lines_per_thread);
    std::set<std::string> unique(capture.lines.begin(), capture.lines.end());
    CHECK(unique.size() == capture.lines.size());
    for (int t = 0; t < threads; ++t) {
        for (int n = 0; n < lines_per_thread; n += 50) {
            CHECK(unique.count("tcpkit: thread " + std::to_string(t) + " line " +
                               std::to_string(n) + "\n") == 1);
        }
    }
    for (const auto& line : capture.lines) {
        REQUIRE(line.find('\n') == line.size() - 1);
    }
}
