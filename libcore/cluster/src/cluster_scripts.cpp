#include "cluster_scripts.h"

namespace tcpkit::cluster_scripts {

// Values of the names hash start with the node id, which has a fixed width, so comparing a
// prefix of that width tells whose a name is.

const std::string_view sync = R"lua(
local names, nodes, node = KEYS[1], KEYS[2], ARGV[1]
local width = #node
local now = redis.call('TIME')
redis.call('ZADD', nodes, tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), node)
local wanted = {}
for i = 2, #ARGV, 2 do wanted[ARGV[i]] = true end
local released = {}
local all = redis.call('HGETALL', names)
for i = 1, #all, 2 do
  local value = all[i + 1]
  if string.sub(value, 1, width) == node and not wanted[all[i]] then
    redis.call('HDEL', names, all[i])
    table.insert(released, string.sub(value, width + 1))
  end
end
local outcomes = {}
for i = 2, #ARGV, 2 do
  local current = redis.call('HGET', names, ARGV[i])
  if not current then
    redis.call('HSET', names, ARGV[i], node .. ARGV[i + 1])
    table.insert(outcomes, 1)
  elseif string.sub(current, 1, width) == node then
    redis.call('HSET', names, ARGV[i], node .. ARGV[i + 1])
    table.insert(outcomes, 0)
  else
    table.insert(outcomes, 2)
  end
end
return {outcomes, released, redis.call('HGETALL', names)}
)lua";

const std::string_view claim = R"lua(
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2]) ~= ARGV[2] then return {0} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ARGV[3])
local count = tonumber(ARGV[4])
if count == 0 then return {1, {}} end
return {1, redis.call('LRANGE', KEYS[2], -count, -1)}
)lua";

const std::string_view release = R"lua(
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
)lua";

const std::string_view heartbeat = R"lua(
local names, nodes, node = KEYS[1], KEYS[2], ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local added = redis.call('ZADD', nodes, now, node)
local dead = redis.call('ZRANGEBYSCORE', nodes, '-inf', now - tonumber(ARGV[2]))
local gone = {}
if #dead > 0 then
  local all = redis.call('HGETALL', names)
  for _, id in ipairs(dead) do
    redis.call('ZREM', nodes, id)
    local entry = {id}
    for i = 1, #all, 2 do
      if string.sub(all[i + 1], 1, #id) == id then
        redis.call('HDEL', names, all[i])
        table.insert(entry, string.sub(all[i + 1], #id + 1))
      end
    end
    table.insert(gone, entry)
  end
end
return {added, gone}
)lua";

const std::string_view stopped = R"lua(
local names, nodes, node = KEYS[1], KEYS[2], ARGV[1]
redis.call('ZREM', nodes, node)
local all = redis.call('HGETALL', names)
for i = 1, #all, 2 do
  if string.sub(all[i + 1], 1, #node) == node then redis.call('HDEL', names, all[i]) end
end
return 1
)lua";

}  // namespace tcpkit::cluster_scripts
