#include "tcpkit/client/port_check.h"

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>

#include "tcpkit/base/errors.h"
#include "tcpkit/base/logger.h"
#include "tcpkit/net/command_loop.h"
#include "tcpkit/net/resolver.h"
#include "tcpkit/stream/deadline.h"
#include "tcpkit/stream/describe.h"
#include "tcpkit/stream/stdio_stream.h"

namespace tcpkit {
namespace {

using Clock = std::chrono::steady_clock;

// Between rounds of --wait: short at first, so that a server that is just starting is seen
// soon, and never more than a second, so that one that takes longer is not missed by much.
constexpr Milliseconds first_pause{50};
constexpr Milliseconds longest_pause{1000};
// How many of the ports not open yet a -v line names before it only counts the rest.
constexpr std::size_t ports_named_at_most = 5;

enum class PortState {
    not_tried,  // --wait ran out before this port's turn came
    open,
    closed,  // refused: nothing listens there
    timed_out,
    unreachable,
};

struct ProbeResult {
    PortState state = PortState::not_tried;
    Clock::duration took{};  // open: how long the connection that was accepted took
    Milliseconds bound{0};   // timed_out by our deadline: the probe's time limit
    std::error_code error;   // closed, unreachable, or timed out by the OS itself
};

PortState classify(const std::error_code& error) {
    if (error == asio::error::connection_refused) {
        return PortState::closed;
    }
    if (error == asio::error::timed_out) {
        return PortState::timed_out;
    }
    return PortState::unreachable;
}

// The process (or the system) has no socket to spare: no answer about the port at all.
bool out_of_descriptors(const std::error_code& error) {
    return error == asio::error::no_descriptors ||
           error == std::errc::too_many_files_open_in_system;
}

asio::awaitable<std::error_code> attempt_connect(asio::ip::tcp::socket& socket,
                                                 const asio::ip::tcp::endpoint& endpoint) {
    std::error_code error;
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, error));
    co_return error;
}

// One port: each of the host's addresses in turn, as connect_tcp does, until one accepts or
// `deadline` passes. The last address's failure is the port's.
asio::awaitable<ProbeResult> probe_port(const std::vector<asio::ip::address>& addresses,
                                        std::uint16_t port, Clock::time_point deadline) {
    auto executor = co_await asio::this_coro::executor;
    auto started = Clock::now();
    ProbeResult result;
    for (const auto& address : addresses) {
        asio::ip::tcp::endpoint endpoint(address, port);
        asio::ip::tcp::socket socket(executor);
        auto attempt_started = Clock::now();
        auto outcome = co_await until_deadline(attempt_connect(socket, endpoint), deadline);
        if (!outcome) {
            result.state = PortState::timed_out;
            result.bound = std::chrono::ceil<Milliseconds>(deadline - started);
            result.error = {};
            co_return result;
        }
        if (!*outcome) {
            result.state = PortState::open;
            result.took = Clock::now() - attempt_started;
            // A plain close (FIN), not a reset (linger 0): the server sees a client that came
            // and went in good order, as after `nc -z`, instead of logging a reset as an error;
            // the TIME_WAIT this leaves is ours, one per open port, and costs nothing.
            std::error_code ignored;
            socket.close(ignored);
            co_return result;
        }
        result.state = classify(*outcome);
        result.error = *outcome;
        if (out_of_descriptors(*outcome)) {
            break;
        }
    }
    co_return result;
}

// The lines on stdout, in the order the ports were given: a port's line waits until every port
// before it has its final answer, whichever probe finished first.
class OrderedReport {
  public:
    explicit OrderedReport(const PortCheckOptions& options)
        : options_(options),
          results_(options.ports.size()),
          settled_(options.ports.size(), false) {}

    const ProbeResult& result(std::size_t index) const { return results_[index]; }

    // A result that may still change (a port not open yet, to be tried again).
    void record(std::size_t index, const ProbeResult& result) { results_[index] = result; }

    // The port's final answer: prints it and any lines it was holding back.
    void settle(std::size_t index, const ProbeResult& result) {
        results_[index] = result;
        settled_[index] = true;
        bool printed = false;
        while (next_line_ < results_.size() && settled_[next_line_]) {
            printed = print_line(next_line_) || printed;
            ++next_line_;
        }
        if (printed) {
            std::fflush(stdout);
        }
    }

  private:
    bool print_line(std::size_t index) const {
        const ProbeResult& result = results_[index];
        std::string subject = fmt::format("{} {}", options_.display_host, options_.ports[index]);
        if (result.state == PortState::open) {
            if (options_.verbose) {
                fmt::print("{} open ({:.1f}ms)\n", subject,
                           std::chrono::duration<double, std::milli>(result.took).count());
            } else {
                fmt::print("{} open\n", subject);
            }
            return true;
        }
        // As nc -z does: without -v, only the open ports are listed (the status says the rest).
        if (!options_.verbose) {
            return false;
        }
        switch (result.state) {
            case PortState::closed:
                fmt::print("{} closed ({})\n", subject, describe(result.error));
                break;
            case PortState::timed_out:
                if (result.error) {
                    fmt::print("{} timed out ({})\n", subject, describe(result.error));
                } else {
                    fmt::print("{} timed out after {}\n", subject, format_duration(result.bound));
                }
                break;
            case PortState::unreachable:
                fmt::print("{} unreachable ({})\n", subject, describe(result.error));
                break;
            default:
                fmt::print("{} not tried (--wait {} ran out first)\n", subject,
                           format_duration(options_.wait));
                break;
        }
        return true;
    }

    const PortCheckOptions& options_;
    std::vector<ProbeResult> results_;
    std::vector<bool> settled_;
    std::size_t next_line_ = 0;
};

// Runs `count` copies of `body` at once and returns when every one has finished; rethrows the
// first exception any of them threw.
asio::awaitable<void> run_concurrently(std::size_t count,
                                       std::function<asio::awaitable<void>()> body) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_finished(executor, Clock::time_point::max());
    std::size_t running = count;
    std::exception_ptr failure;
    for (std::size_t i = 0; i < count; ++i) {
        asio::co_spawn(executor, body(), [&](const std::exception_ptr& error) {
            if (error && !failure) {
                failure = error;
            }
            if (--running == 0) {
                all_finished.cancel();  // the timer is only a condition variable here
            }
        });
    }
    while (running > 0) {
        std::error_code ignored;
        co_await all_finished.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

// "5000, 5001 and 3 more" for the -v lines about the ports not open yet.
std::string name_ports(const PortCheckOptions& options, const std::vector<std::size_t>& indexes) {
    std::string names;
    for (std::size_t i = 0; i < indexes.size() && i < ports_named_at_most; ++i) {
        names += fmt::format("{}{}", i == 0 ? "" : ", ", options.ports[indexes[i]]);
    }
    if (indexes.size() > ports_named_at_most) {
        names += fmt::format(" and {} more", indexes.size() - ports_named_at_most);
    }
    return names;
}

std::string count_ports(std::size_t count) {
    return fmt::format("{} port{}", count, count == 1 ? "" : "s");
}

class PortCheck {
  public:
    PortCheck(const PortCheckOptions& options, OrderedReport& report)
        : options_(options), report_(report) {}

    asio::awaitable<int> run() {
        auto started = Clock::now();
        if (options_.wait.count() > 0) {
            wait_deadline_ = started + options_.wait;
        }
        co_await resolve(started);

        std::vector<std::size_t> pending(options_.ports.size());
        for (std::size_t i = 0; i < pending.size(); ++i) {
            pending[i] = i;
        }
        Milliseconds pause = first_pause;
        for (;;) {
            co_await probe_all(pending);
            std::erase_if(pending, [&](std::size_t index) {
                return report_.result(index).state == PortState::open;
            });
            if (pending.empty()) {
                co_return to_int(ExitStatus::success);
            }
            auto now = Clock::now();
            if (!wait_deadline_ || now >= *wait_deadline_) {
                break;
            }
            auto left = std::chrono::ceil<Milliseconds>(*wait_deadline_ - now);
            Milliseconds this_pause = std::min(pause, left);
            log().debug("{} not open yet ({}); trying again in {}", count_ports(pending.size()),
                        name_ports(options_, pending), format_duration(this_pause));
            asio::steady_timer timer(co_await asio::this_coro::executor, this_pause);
            co_await timer.async_wait(asio::use_awaitable);
            pause = std::min(pause * 2, longest_pause);
        }
        if (wait_deadline_) {
            log().debug("gave up after --wait {}: {} not open ({})", format_duration(options_.wait),
                        count_ports(pending.size()), name_ports(options_, pending));
        }
        for (std::size_t index : pending) {
            report_.settle(index, report_.result(index));
        }
        co_return to_int(ExitStatus::network_failure);
    }

  private:
    // Once for all ports, within the connect timeout, as `connect` resolves.
    asio::awaitable<void> resolve(Clock::time_point started) {
        auto deadline = options_.connect_timeout.count() > 0 ? started + options_.connect_timeout
                                                             : Clock::time_point::max();
        auto addresses =
            co_await resolve_addresses_before(options_.host, options_.family, deadline);
        if (!addresses) {
            throw NetworkError(fmt::format("cannot resolve '{}': timed out after {}", options_.host,
                                           format_duration(options_.connect_timeout)));
        }
        addresses_ = std::move(*addresses);
        std::string listed;
        for (const auto& address : addresses_) {
            listed += (listed.empty() ? "" : ", ") + address.to_string();
        }
        log().debug("checking {} on {} ({})", count_ports(options_.ports.size()),
                    options_.display_host, listed);
    }

    // A probe's time limit: --connect-timeout from when it starts, but never past --wait.
    std::optional<Clock::time_point> probe_deadline() const {
        auto now = Clock::now();
        auto deadline = options_.connect_timeout.count() > 0 ? now + options_.connect_timeout
                                                             : Clock::time_point::max();
        if (wait_deadline_) {
            if (now >= *wait_deadline_) {
                return std::nullopt;
            }
            deadline = std::min(deadline, *wait_deadline_);
        }
        return deadline;
    }

    // One round: every pending port once, at most --parallel at a time.
    asio::awaitable<void> probe_all(const std::vector<std::size_t>& pending) {
        std::size_t next = 0;
        std::vector<std::size_t> handed_back;  // ports a worker gave up for want of a socket
        std::size_t workers = std::clamp<std::size_t>(options_.parallel, 1, pending.size());
        std::size_t working = workers;
        auto worker = [&]() -> asio::awaitable<void> {
            for (;;) {
                std::size_t index = 0;
                if (!handed_back.empty()) {
                    index = handed_back.back();
                    handed_back.pop_back();
                } else if (next < pending.size()) {
                    index = pending[next++];
                } else {
                    break;
                }
                auto deadline = probe_deadline();
                if (!deadline) {
                    break;  // --wait is over: the ports left keep their last answer
                }
                ProbeResult result =
                    co_await probe_port(addresses_, options_.ports[index], *deadline);
                // --parallel above the open-file limit (ulimit -n): rather than report ports
                // as unreachable, this worker stops and hands its port to the others, so that
                // the check settles at as many at once as the limit allows.
                if (out_of_descriptors(result.error) && working > 1) {
                    if (!warned_of_descriptors_) {
                        warned_of_descriptors_ = true;
                        log().debug("{} at {} checks at once: checking fewer at a time",
                                    describe(result.error), working);
                    }
                    handed_back.push_back(index);
                    break;
                }
                // Without --wait every answer is final; with it, only "open" is.
                if (!wait_deadline_ || result.state == PortState::open) {
                    report_.settle(index, result);
                } else {
                    report_.record(index, result);
                }
            }
            --working;
        };
        co_await run_concurrently(workers, worker);
    }

    const PortCheckOptions& options_;
    OrderedReport& report_;
    std::vector<asio::ip::address> addresses_;
    std::optional<Clock::time_point> wait_deadline_;
    bool warned_of_descriptors_ = false;
};

}  // namespace

int run_port_check(const PortCheckOptions& options) {
    prepare_stdout_for_lines();
    // Declared before the event loop so that they outlive every coroutine it may still hold.
    OrderedReport report(options);
    PortCheck check(options, report);
    return run_to_exit_status(check.run());
}

}  // namespace tcpkit
