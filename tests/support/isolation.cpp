#include "isolation.h"

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "process.h"

namespace tcpkit::test {
namespace {

std::string write_scratch_file(const std::string& text) {
    char name[] = "/tmp/tcpkit-isolation-XXXXXX";
    int fd = ::mkstemp(name);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "mkstemp");
    }
    std::size_t written = 0;
    while (written < text.size()) {
        ssize_t count = ::write(fd, text.data() + written, text.size() - written);
        if (count <= 0) {
            ::close(fd);
            throw std::system_error(errno, std::generic_category(), "writing " + std::string(name));
        }
        written += static_cast<std::size_t>(count);
    }
    ::close(fd);
    return name;
}

// Process runs its program without a PATH search.
std::optional<std::string> find_program(const std::string& name) {
    const char* path = ::getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/bin:/bin:/usr/sbin:/sbin";
    directories += ":/usr/sbin:/sbin";  // unshare and ip live there, often not on a user's PATH
    std::size_t start = 0;
    while (start <= directories.size()) {
        std::size_t end = directories.find(':', start);
        if (end == std::string::npos) {
            end = directories.size();
        }
        std::string candidate = directories.substr(start, end - start) + "/" + name;
        if (end > start && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

}  // namespace

Isolation::Isolation(const IsolationSetup& setup) : setup_(setup) {
    if (setup_.hosts) {
        files_.push_back(write_scratch_file(*setup_.hosts));
    }
    if (setup_.resolv_conf) {
        files_.push_back(write_scratch_file(*setup_.resolv_conf));
    }
}

Isolation::~Isolation() {
    for (const auto& file : files_) {
        std::remove(file.c_str());
    }
}

std::vector<std::string> Isolation::wrap(std::vector<std::string> command) const {
    // The set-up steps fail with status 125 and a line that says which step failed.
    std::string script = "fail() { echo \"isolation: cannot $*\" >&2; exit 125; }\n";
    if (setup_.own_network) {
        script += "ip link set lo up || fail bring up loopback in a network of its own\n";
    }
    std::size_t file = 0;
    if (setup_.hosts) {
        script += "mount --bind '" + files_[file++] + "' /etc/hosts || fail mount a hosts file\n";
    }
    if (setup_.resolv_conf) {
        script +=
            "mount --bind '" + files_[file++] + "' /etc/resolv.conf || fail mount a resolv.conf\n";
    }
    script += "exec \"$@\"\n";

    std::vector<std::string> args = {find_program("unshare").value_or("unshare")};
    if (::geteuid() != 0) {
        args.push_back("--map-root-user");  // a user namespace lets an ordinary user mount
    }
    args.push_back("--mount");
    if (setup_.own_network) {
        args.push_back("--net");
    }
    args.insert(args.end(), {"/bin/sh", "-c", script, "isolation"});
    args.insert(args.end(), command.begin(), command.end());
    return args;
}

std::string Isolation::why_unavailable(std::vector<std::string> probe) const {
    if (!find_program("unshare")) {
        return "unshare(1) was not found";
    }
    Process trial(wrap(std::move(probe)));
    int status = trial.wait_for_exit();
    if (status == 0) {
        return "";
    }
    std::string why = trial.err().empty() ? "no message" : trial.err();
    while (!why.empty() && why.back() == '\n') {
        why.pop_back();
    }
    return "unshare failed with status " + std::to_string(status) + ": " + why;
}

}  // namespace tcpkit::test
