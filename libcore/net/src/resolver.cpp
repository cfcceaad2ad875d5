#include "tcpkit/net/resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "tcpkit/base/errors.h"
#include "tcpkit/stream/describe.h"

namespace tcpkit {
namespace {

// What the resolving thread and the waiting coroutine share. The thread may outlive the
// coroutine (and its event loop): once `wake` is null it touches neither.
struct PendingResolution {
    std::mutex mutex;
    asio::steady_timer* wake = nullptr;
    bool done = false;
    std::vector<asio::ip::address> addresses;
    std::exception_ptr failure;
};

// Leaving the coroutine, by any path, tells the thread that nobody waits any more.
class AbandonOnExit {
  public:
    explicit AbandonOnExit(std::shared_ptr<PendingResolution> pending)
        : pending_(std::move(pending)) {}
    ~AbandonOnExit() {
        std::lock_guard lock(pending_->mutex);
        pending_->wake = nullptr;
    }
    AbandonOnExit(const AbandonOnExit&) = delete;
    AbandonOnExit& operator=(const AbandonOnExit&) = delete;

  private:
    std::shared_ptr<PendingResolution> pending_;
};

void resolve_on_thread(const std::shared_ptr<PendingResolution>& pending,
                       const asio::any_io_executor& loop, const std::string& host,
                       IpFamily family) {
    std::vector<asio::ip::address> addresses;
    std::exception_ptr failure;
    try {
        asio::io_context own_context(1);  // a synchronous resolve runs no handlers
        addresses = resolve_addresses(own_context.get_executor(), host, family, false);
    } catch (...) {
        failure = std::current_exception();
    }
    std::lock_guard lock(pending->mutex);
    pending->done = true;
    pending->addresses = std::move(addresses);
    pending->failure = failure;
    if (pending->wake != nullptr) {
        asio::post(loop, [pending] {
            std::lock_guard lock(pending->mutex);
            if (pending->wake != nullptr) {
                pending->wake->cancel();
            }
        });
    }
}

}  // namespace

std::vector<asio::ip::address> resolve_addresses(const asio::any_io_executor& executor,
                                                 const std::string& host, IpFamily family,
                                                 bool passive) {
    asio::ip::tcp::resolver resolver(executor);
    auto flags = passive ? asio::ip::resolver_base::passive : asio::ip::resolver_base::flags{};
    std::error_code error;
    asio::ip::tcp::resolver::results_type results;
    switch (family) {
        case IpFamily::v4:
            results = resolver.resolve(asio::ip::tcp::v4(), host, "0", flags, error);
            break;
        case IpFamily::v6:
            results = resolver.resolve(asio::ip::tcp::v6(), host, "0", flags, error);
            break;
        case IpFamily::any:
            results = resolver.resolve(host, "0", flags, error);
            break;
    }
    if (error) {
        std::string family_note = family == IpFamily::v4   ? " (IPv4 only)"
                                  : family == IpFamily::v6 ? " (IPv6 only)"
                                                           : "";
        throw NetworkError(
            fmt::format("cannot resolve '{}'{}: {}", host, family_note, describe(error)));
    }
    std::vector<asio::ip::address> addresses;
    for (const auto& entry : results) {
        auto address = entry.endpoint().address();
        if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
            addresses.push_back(address);
        }
    }
    if (addresses.empty()) {
        throw NetworkError(fmt::format("cannot resolve '{}': no usable address", host));
    }
    return addresses;
}

asio::awaitable<std::optional<std::vector<asio::ip::address>>> resolve_addresses_before(
    std::string host, IpFamily family, std::chrono::steady_clock::time_point deadline) {
    auto executor = co_await asio::this_coro::executor;
    auto pending = std::make_shared<PendingResolution>();
    asio::steady_timer wake(executor, deadline);
    pending->wake = &wake;
    AbandonOnExit abandon(pending);
    std::thread([pending, executor, host, family] {
        resolve_on_thread(pending, executor, host, family);
    }).detach();
    for (;;) {
        {
            // The thread's wake-up runs on this thread too, so it cannot slip in between this
            // check and the wait below.
            std::lock_guard lock(pending->mutex);
            if (pending->done) {
                if (pending->failure) {
                    std::rethrow_exception(pending->failure);
                }
                co_return std::move(pending->addresses);
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return std::nullopt;
        }
        std::error_code cancelled_or_expired;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, cancelled_or_expired));
    }
}

}  // namespace tcpkit
