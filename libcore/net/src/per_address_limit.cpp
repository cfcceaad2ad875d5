#include "tcpkit/net/per_address_limit.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace tcpkit {
namespace {

asio::ip::address unmapped(const asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    return address;
}

}  // namespace

std::size_t PerAddressLimit::limit_for(const asio::ip::address& address) const {
    return loopback_exempt && unmapped(address).is_loopback() ? 0 : limit;
}

std::string address_group(const asio::ip::address& address) {
    asio::ip::address plain = unmapped(address);
    if (plain.is_v4()) {
        return plain.to_string();
    }
    std::array<unsigned char, 16> bytes = plain.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return fmt::format("{}/64", asio::ip::address_v6(bytes).to_string());
}

bool AddressCounts::try_add(const std::string& group, std::size_t limit, std::size_t& open) {
    std::lock_guard lock(mutex_);
    std::size_t& count = open_[group];
    open = count;
    if (limit != 0 && count >= limit) {
        if (count == 0) {
            open_.erase(group);
        }
        return false;
    }
    ++count;
    return true;
}

void AddressCounts::remove(const std::string& group) {
    std::lock_guard lock(mutex_);
    auto found = open_.find(group);
    if (found != open_.end() && --found->second == 0) {
        open_.erase(found);  // no entry for an address that has nothing open: memory stays flat
    }
}

std::size_t AddressCounts::open(const std::string& group) {
    std::lock_guard lock(mutex_);
    auto found = open_.find(group);
    return found == open_.end() ? 0 : found->second;
}

}  // namespace tcpkit
