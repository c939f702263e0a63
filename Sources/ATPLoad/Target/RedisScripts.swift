/// The Lua scripts of the Redis+Lua baseline: the usual way a retailer reserves stock in Redis.
///
/// Keys: a hash per cell (`onHand`, `reserved`), a hash per reservation (`status`), and a sorted
/// set of reservation expiry times. Each script runs atomically in Redis, which is what makes
/// check-and-hold safe there. (The baseline has no expiry sweeper: a hold left to expire stays
/// reserved. The verdict allows for that; it only changes the final stock, not the throughput.)
/// Thread-safety: constants.
enum RedisScripts {
    /// KEYS: reservation, expiry set, cells…; ARGV: ttl seconds, reservation id, quantities….
    /// Returns 1 when every line was held, 0 (nothing changed) when some cell lacks stock.
    static let hold = """
        local n = #KEYS - 2
        for i = 1, n do
          local c = redis.call('HMGET', KEYS[i + 2], 'onHand', 'reserved')
          if (tonumber(c[1]) or 0) - (tonumber(c[2]) or 0) < tonumber(ARGV[i + 2]) then return 0 end
        end
        for i = 1, n do redis.call('HINCRBY', KEYS[i + 2], 'reserved', ARGV[i + 2]) end
        local t = redis.call('TIME')
        redis.call('HSET', KEYS[1], 'status', 'held')
        redis.call('ZADD', KEYS[2], tonumber(t[1]) + tonumber(ARGV[1]), ARGV[2])
        return 1
        """

    /// KEYS: reservation, expiry set; ARGV: reservation id. 1 when held or confirmed, else 0.
    static let confirm = """
        local s = redis.call('HGET', KEYS[1], 'status')
        if s == 'held' then
          redis.call('HSET', KEYS[1], 'status', 'confirmed')
          redis.call('ZREM', KEYS[2], ARGV[1])
          return 1
        end
        if s == 'confirmed' then return 1 end
        return 0
        """

    /// KEYS: reservation, expiry set, cells…; ARGV: reservation id, 'fulfilled' or 'released',
    /// quantities…. Fulfilling drops onHand and reserved; releasing only reserved.
    static let finish = """
        local s = redis.call('HGET', KEYS[1], 'status')
        if s == ARGV[2] then return 1 end
        if s ~= 'held' and s ~= 'confirmed' then return 0 end
        for i = 3, #KEYS do
          redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(ARGV[i]))
          if ARGV[2] == 'fulfilled' then redis.call('HINCRBY', KEYS[i], 'onHand', -tonumber(ARGV[i])) end
        end
        redis.call('HSET', KEYS[1], 'status', ARGV[2])
        redis.call('ZREM', KEYS[2], ARGV[1])
        return 1
        """
}
