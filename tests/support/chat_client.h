// What the chat tests (one server, and a cluster) do as clients of the room: join it, and check
// the conservation runs, where client S sends "cS m0" to "cS m(L-1)", which the room shows as
// "cS: cS mK", and each client must get every other client's lines, in order, none lost, none
// repeated, none of its own.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "catch.h"
#include "line_client.h"

namespace tcpkit::test {

inline constexpr const char* prompt = "Choose a nickname: ";

// Connects, reads the banner and prompt, and takes `name`; returns the greeting line.
inline std::string join(LineClient& client, const std::string& name,
                        std::string_view prompt_text = prompt) {
    client.until(prompt_text);
    client.send_line(name);
    return client.line();
}

// What client `sender` sends: `lines` lines, as one write; `padding` makes each line longer
// ("cS mK xxx...").
inline std::string conserved_batch(int sender, int lines, std::size_t padding = 0) {
    std::string pad = padding > 0 ? " " + std::string(padding, 'x') : std::string();
    std::string batch;
    for (int k = 0; k < lines; ++k) {
        batch += "c" + std::to_string(sender) + " m" + std::to_string(k) + pad + "\n";
    }
    return batch;
}

// The lines one client receives, checked as they come.
class ConservedLines {
  public:
    explicit ConservedLines(int receiver, std::size_t padding = 0)
        : receiver_(receiver),
          pad_(padding > 0 ? " " + std::string(padding, 'x') : std::string()) {}

    // One line the client read; announcements ("* bob joined", "* 3 joined: ...") are skipped.
    void take(const std::string& line) {
        if (line.rfind("* ", 0) == 0) {
            if (on_announcement) {
                on_announcement(line);
            }
            return;  // joins of later clients, one by one or together
        }
        auto colon = line.find(':');
        REQUIRE(colon != std::string::npos);
        int sender = std::stoi(line.substr(1, colon - 1));
        int number = std::stoi(line.substr(line.find(" m") + 2));
        REQUIRE(sender != receiver_);
        REQUIRE(line == "c" + std::to_string(sender) + ": c" + std::to_string(sender) + " m" +
                            std::to_string(number) + pad_);
        REQUIRE(number == next_from_[sender]);  // in order, none lost, none repeated
        ++next_from_[sender];
        ++received_;
    }

    int received() const { return received_; }
    // Hears the announcements skipped (joins, leaves), if set.
    std::function<void(const std::string&)> on_announcement;
    // How many clients' lines came.
    std::size_t senders() const { return next_from_.size(); }

  private:
    int receiver_;
    std::string pad_;
    std::map<int, int> next_from_;  // sender -> the number of its next line
    int received_ = 0;
};

}  // namespace tcpkit::test
