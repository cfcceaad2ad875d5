// The cluster tests' own redis-server (support/redis_server.h) does what they rely on: it
// answers at its URL, keeps nothing across a restart, and comes back on the same port.
#include <string>

#include "catch.h"
#include "line_client.h"
#include "loopback.h"
#include "redis_server.h"

using namespace tcpkit::test;

TEST_CASE("cluster: the tests' redis-server starts, stops and starts again on the same port",
          "[cluster]") {
    if (!RedisServer::installed()) {
        WARN("redis-server is not installed: skipped");
        return;
    }
    RedisServer redis;
    CHECK(redis.url() == "redis://127.0.0.1:" + std::to_string(redis.port()));
    CHECK(redis.command("PING") == "+PONG");
    CHECK(redis.command("SET tcpkit:fixture:key 1") == "+OK");
    CHECK(redis.command("KEYS *") == "*1");

    redis.stop();
    CHECK_FALSE(redis.running());
    CHECK_THROWS(Socket::connect(redis.port()));  // nothing listens there any more

    redis.start();
    CHECK(redis.running());
    CHECK(redis.command("PING") == "+PONG");
    CHECK(redis.command("KEYS *") == "*0");  // nothing was saved: it comes back empty
}

TEST_CASE("cluster: two of the tests' redis-servers get ports of their own", "[cluster]") {
    if (!RedisServer::installed()) {
        WARN("redis-server is not installed: skipped");
        return;
    }
    RedisServer first;
    RedisServer second;
    CHECK(first.port() != second.port());
    CHECK(first.command("SET only.in.first 1") == "+OK");
    CHECK(second.command("EXISTS only.in.first") == ":0");
}

TEST_CASE("cluster: the tests' redis-server with a password wants it first", "[cluster]") {
    if (!RedisServer::installed()) {
        WARN("redis-server is not installed: skipped");
        return;
    }
    RedisServer redis({.password = "secret"});
    CHECK(redis.command("PING") == "+PONG");  // after AUTH secret
    LineClient stranger(redis.port());
    stranger.send("PING\r\n");
    CHECK_THAT(stranger.line(), TCPKIT_CONTAINS("NOAUTH"));
}
