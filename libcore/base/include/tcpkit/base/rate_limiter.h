// A token bucket: `rate` events per second on average, up to `burst` at once.
#pragma once

#include <algorithm>
#include <chrono>

namespace tcpkit {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // A rate of 0 means unlimited.
    RateLimiter(double rate_per_second, double burst, Clock::time_point start = Clock::now())
        : rate_(rate_per_second), burst_(burst < 1 ? 1 : burst), tokens_(burst_), last_(start) {}

    // True if one more event is allowed now (and counts it).
    bool allow(Clock::time_point now = Clock::now()) {
        if (rate_ <= 0) {
            return true;
        }
        if (now > last_) {
            std::chrono::duration<double> elapsed = now - last_;
            last_ = now;
            tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
        }
        if (tokens_ < 1) {
            return false;
        }
        tokens_ -= 1;
        return true;
    }

  private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace tcpkit
