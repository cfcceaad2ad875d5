// End-to-end: what every user meets first: --help, --version, and bad input.
#include <algorithm>
#include <atomic>
#include <sstream>
#include <string>
#include <vector>

#include "catch.h"
#include "process.h"

using namespace tcpkit::test;

namespace {

std::size_t line_count(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// tcpkit ARGS fails with exit status 2 and one line on stderr that contains `expected`.
void require_usage_error(std::vector<std::string> args, const std::string& expected) {
    args.insert(args.begin(), tcpkit_binary());
    Process process(args);
    REQUIRE(process.wait_for_exit() == 2);
    CHECK(line_count(process.err()) == 1);
    CHECK_THAT(process.err(), TCPKIT_CONTAINS(expected));
    CHECK(process.out().empty());
}

}  // namespace

TEST_CASE("tcpkit --version prints the version and the libraries", "[cli]") {
    Process version({tcpkit_binary(), "--version"});
    REQUIRE(version.wait_for_exit() == 0);
    CHECK(version.out().rfind("tcpkit ", 0) == 0);
    CHECK_THAT(version.out(), TCPKIT_CONTAINS("asio "));
    CHECK_THAT(version.out(), TCPKIT_CONTAINS("fmt "));
    CHECK_THAT(version.out(), TCPKIT_CONTAINS("CLI11 "));
    CHECK_THAT(version.out(), TCPKIT_CONTAINS("\nnicknames: Unicode "));  // the name rules' data
}

namespace {

// The subcommands `tcpkit --help` lists, read from its "Subcommands:" section.
std::vector<std::string> listed_subcommands() {
    Process help({tcpkit_binary(), "--help"});
    REQUIRE(help.wait_for_exit() == 0);
    std::istringstream lines(help.out());
    std::vector<std::string> names;
    bool in_section = false;
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();  // Windows: stdout is in text mode there, so lines end in CRLF
        }
        if (line == "Subcommands:") {
            in_section = true;
        } else if (in_section && line.rfind("  ", 0) == 0) {
            std::istringstream words(line);
            names.emplace_back();
            words >> names.back();
        } else if (in_section) {
            break;
        }
    }
    return names;
}

}  // namespace

TEST_CASE("tcpkit SUBCOMMAND --help exits 0 and documents the exit statuses", "[cli]") {
    auto commands = listed_subcommands();
    // Read from the help so that a new subcommand is covered without editing this test, and
    // checked against the ones known today so that a misread help cannot make the loop empty.
    for (const char* known : {"echo-server", "chat-server", "connect", "send", "listen"}) {
        CHECK(std::find(commands.begin(), commands.end(), known) != commands.end());
    }
    for (const auto& command : commands) {
        INFO("tcpkit " << command << " --help");
        Process help({tcpkit_binary(), command, "--help"});
        REQUIRE(help.wait_for_exit() == 0);
        CHECK_THAT(help.out(), TCPKIT_CONTAINS("Usage: tcpkit " + command));
        CHECK_THAT(help.out(), TCPKIT_CONTAINS("2 usage error"));
    }
}

TEST_CASE("usage errors give one line on stderr and exit status 2", "[cli]") {
    using Args = std::vector<std::string>;
    auto [args, expected] = GENERATE(table<Args, std::string>({
        {Args{}, "A subcommand is required"},
        {Args{"frobnicate"}, "unknown command 'frobnicate'"},
        {Args{"echo-server", "--port", "65536"}, "invalid port '65536'"},
        {Args{"echo-server", "--port", "http"}, "invalid port 'http'"},
        {Args{"echo-server", "--bogus"}, "--bogus"},
        {Args{"echo-server", "--idle-timeout", "3 days"}, "invalid duration '3 days'"},
        {Args{"echo-server", "--max-conns", "0"}, "--max-conns"},
        {Args{"echo-server", "--log-format", "xml"}, "--log-format"},
        {Args{"connect", "localhost"}, "port is required"},
        {Args{"connect", "localhost:80", "80"}, "give the port as its own argument"},
        {Args{"connect", "-4", "-6", "localhost", "80"}, "-4"},
        // connect's PORTs: one without -z; with -z, ports 1-65535 and ranges.
        {Args{"connect", "localhost", "80", "81"}, "give one PORT, or -z to check several"},
        {Args{"connect", "localhost", "80-81"}, "a port range needs -z"},
        {Args{"connect", "-z", "localhost"}, "port is required"},
        {Args{"connect", "-z", "localhost", "22", "0"}, "invalid port '0'"},
        {Args{"connect", "-z", "localhost", "0-10"}, "invalid port '0-10'"},
        {Args{"connect", "-z", "localhost", "90-80"}, "invalid port range '90-80'"},
        {Args{"connect", "-z", "localhost", "1-65536"}, "invalid port range '1-65536'"},
        {Args{"connect", "-z", "localhost", "80-x"}, "invalid port range '80-x'"},
        {Args{"connect", "-z", "--udp", "localhost", "80"}, "--udp excludes --zero-io"},
        {Args{"connect", "-z", "--tls", "localhost", "80"}, "--tls excludes --zero-io"},
        {Args{"connect", "-z", "--crlf", "localhost", "80"}, "--crlf excludes --zero-io"},
        {Args{"connect", "-z", "--hex", "localhost", "80"}, "--hex excludes --zero-io"},
        {Args{"connect", "-z", "--idle-timeout", "1s", "localhost", "80"},
         "--idle-timeout excludes --zero-io"},
        {Args{"connect", "-z", "--progress", "localhost", "80"}, "--zero-io excludes --progress"},
        {Args{"connect", "--wait", "1s", "localhost", "80"}, "--wait requires --zero-io"},
        {Args{"connect", "--parallel", "2", "localhost", "80"}, "--parallel requires --zero-io"},
        {Args{"connect", "-z", "--parallel", "0", "localhost", "80"}, "--parallel"},
        {Args{"connect", "-z", "--parallel", "4097", "localhost", "80"}, "--parallel"},
        {Args{"connect", "-z", "--wait", "soon", "localhost", "80"}, "invalid duration 'soon'"},
        {Args{"send", "localhost", "80", "--lines", "0"}, "--lines"},
        {Args{"send", "localhost", "80", "--file", "/x", "text"}, "excludes"},
        // TLS options are checked while parsing, in builds with and without TLS alike.
        {Args{"connect", "--pin", "sha256:00", "localhost", "80"}, "--pin"},
        {Args{"connect", "--tls", "--pin", "sha256:00", "localhost", "80"},
         "not a certificate pin"},
        {Args{"connect", "--tls", "--udp", "localhost", "80"}, "--udp"},
        {Args{"connect", "--tls", "--tls-min", "1.1", "localhost", "80"}, "--tls-min"},
        {Args{"connect", "--tls", "--alpn", "h2,,x", "localhost", "80"}, "not an ALPN list"},
        {Args{"connect", "--tls", "--insecure", "--pin", "sha256:" + std::string(64, 'a'),
              "localhost", "80"},
         "excludes"},
        {Args{"echo-server", "--tls", "--udp"}, "--udp"},
        {Args{"echo-server", "--client-ca", "ca.pem"}, "--client-ca"},
        {Args{"listen"}, "a PORT to listen on is required"},
        {Args{"listen", "65536"}, "invalid port '65536'"},
        {Args{"listen", "127.0.0.1", "0", "--port", "1"}, "not both"},
        {Args{"listen", "a", "b", "c"}, "address"},
        {Args{"listen", "--once", "0"}, "--once requires --keep-open"},
        {Args{"listen", "-u", "-k", "0"}, "excludes"},
        {Args{"listen", "-u", "--tls", "0"}, "excludes"},
        {Args{"listen", "0", "--", "cat"}, "arguments after '--' are the program of --exec"},
        {Args{"listen", "--exec-stderr", "socket", "0"}, "needs --exec or --sh-exec"},
        {Args{"listen", "--exec-stderr", "tty", "--exec", "cat", "0"}, "--exec-stderr"},
        {Args{"listen", "--exec", "cat", "--sh-exec", "cat", "0"}, "excludes"},
        {Args{"listen", "--exec", "cat", "--crlf", "0"}, "excludes"},
    }));
    require_usage_error(args, expected);
}

TEST_CASE("listen --exec checks its program before listening", "[cli][exec]") {
    using Args = std::vector<std::string>;
#ifdef _WIN32
    auto [args, expected] = GENERATE(table<Args, std::string>({
        {Args{"listen", "--exec", "no-such-program-here", "0"},
         "--exec: 'no-such-program-here' is not found in PATH"},
        {Args{"listen", "--exec", "C:\\no-such-directory\\program.exe", "0"},
         "is not an executable file"},
        {Args{"listen", "--exec", "C:\\windows", "0"},
         "--exec: 'C:\\windows' is not an executable file"},
        {Args{"listen", "0", "--exec", "--"}, "--exec needs a PROGRAM"},
    }));
#else
    auto [args, expected] = GENERATE(table<Args, std::string>({
        {Args{"listen", "--exec", "no-such-program-here", "0"},
         "--exec: 'no-such-program-here' is not found in PATH"},
        {Args{"listen", "--exec", "/etc/passwd", "0"}, "is not an executable file"},
        {Args{"listen", "0", "--exec", "--"}, "--exec needs a PROGRAM"},
    }));
#endif
    require_usage_error(args, expected);
}

TEST_CASE("usage errors of --allow and --deny name the item that is not an address or prefix",
          "[cli][access]") {
    using Args = std::vector<std::string>;
    auto [args, expected] = GENERATE(table<Args, std::string>({
        {Args{"echo-server", "--allow", "10.0.0.0/33"},
         "--allow: '10.0.0.0/33' is not an address or prefix"},
        {Args{"echo-server", "--deny", "127.0.0.1,localhost"},
         "--deny: 'localhost' is not an address or prefix"},
        {Args{"echo-server", "--udp", "--deny", "::1/129"},
         "--deny: '::1/129' is not an address or prefix"},
        {Args{"chat-server", "--allow", "10.0.0.1", "--allow", "10.0.0.1,"},
         "--allow: '' is not an address or prefix"},
        {Args{"chat-server", "--deny", "fe80::1%eth0"},
         "--deny: 'fe80::1%eth0' is not an address or prefix"},
        // One item per --allow: a second word is not taken as another rule.
        {Args{"chat-server", "--allow", "10.0.0.1", "10.0.0.2"}, "10.0.0.2"},
        {Args{"echo-server", "--allow"}, "--allow"},
    }));
    require_usage_error(args, expected);
}

TEST_CASE(
    "TLS files that cannot be read are usage errors naming the option; a build without "
    "TLS says so",
    "[cli][tls]") {
    Process version({tcpkit_binary(), "--version"});
    REQUIRE(version.wait_for_exit() == 0);
    bool has_tls = version.out().find("TLS: no TLS") == std::string::npos;
    using Args = std::vector<std::string>;
    auto [args, expected] = GENERATE(table<Args, std::string>({
        {Args{"connect", "--tls", "--ca-file", "/nonexistent/ca.pem", "localhost", "1"},
         "--ca-file /nonexistent/ca.pem: no such file"},
        {Args{"send", "--tls", "--cert", "/nonexistent/c.pem", "localhost", "1", "x"},
         "--cert /nonexistent/c.pem: no such file"},
        {Args{"echo-server", "--tls", "--cert", "/nonexistent/c.pem", "--port", "0"},
         "--cert /nonexistent/c.pem: no such file"},
        {Args{"chat-server", "--tls", "--client-ca", "/nonexistent/ca.pem", "--port", "0"},
         "--client-ca /nonexistent/ca.pem: no such file"},
    }));
    args.insert(args.begin(), tcpkit_binary());
    Process process(args);
    REQUIRE(process.wait_for_exit() == 2);
    CHECK(line_count(process.err()) == 1);
    CHECK_THAT(process.err(),
               TCPKIT_CONTAINS(has_tls ? expected : "TLS is not available in this build"));
    if (has_tls) {
        CHECK_THAT(version.out(), TCPKIT_CONTAINS("TLS: OpenSSL 3"));
    }
}

TEST_CASE("chat-server --cluster: --version names its library, and a build without it says so",
          "[cli][cluster]") {
    Process version({tcpkit_binary(), "--version"});
    REQUIRE(version.wait_for_exit() == 0);
    bool has_cluster = version.out().find("cluster: no --cluster") == std::string::npos;
    CHECK_THAT(version.out(),
               TCPKIT_CONTAINS(has_cluster ? "cluster: hiredis " : "without hiredis"));
    // Nothing listens on port 1: a build with --cluster cannot reach it (1), one without refuses
    // the option (2), each in one line.
    Process process(
        {tcpkit_binary(), "chat-server", "--port", "0", "--cluster", "redis://127.0.0.1:1"});
    REQUIRE(process.wait_for_exit() == (has_cluster ? 1 : 2));
    CHECK(line_count(process.err()) == 1);
    CHECK_THAT(process.err(),
               TCPKIT_CONTAINS(has_cluster ? "cannot reach Redis at redis://127.0.0.1:1/0"
                                           : "--cluster is not available in this build"));
}

TEST_CASE("send --file with a missing file is a usage error", "[cli]") {
    Process process({tcpkit_binary(), "send", "localhost", "1", "--file", "/nonexistent/file"});
    REQUIRE(process.wait_for_exit() == 2);
    CHECK_THAT(process.err(), TCPKIT_CONTAINS("cannot open '/nonexistent/file'"));
}
