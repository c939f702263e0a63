import ATPRedis

/// atpd's Redis Function library (`FUNCTION LOAD`, Redis ≥ 7.0): the calls that change a
/// partition, each checking the partition's fencing epoch first, so a writer that lost a
/// partition can never write to it (the fleet's fencing; a single node holds epoch 1).
///
/// - `atpd_commit` — KEYS: per partition its meta and its log; ARGV: per partition the writer's
///   epoch, the log's length the writer knows to be durable, and the frames to append. Every
///   partition is checked before anything is written, so the call is all or nothing: an epoch
///   that differs answers `FENCED`, a log shorter than acknowledged answers `LOGLOST` (Redis lost
///   acknowledged writes). A log longer than known holds the tail of a commit whose outcome the
///   writer never learnt (its clients were told it failed): it is cut back first. Returns the
///   number of partitions.
/// - `atpd_rotate` — KEYS: metas; ARGV: the generation, then each partition's epoch: sets `head`
///   of each partition.
/// - `atpd_publish` — KEYS: one meta, then keys to unlink; ARGV: epoch, generation: makes the
///   snapshot of that generation the partition's and removes what it replaces.
/// - `atpd_version` — the library's version (read-only).
///
/// The library is replaced atomically (`FUNCTION LOAD REPLACE`) at start when Redis holds an
/// older version; a newer one makes atpd refuse to start.
///
/// Thread-safety: constants.
enum RedisFunctions {
    /// Bumped whenever a function changes.
    static let version: Int64 = 2

    static let library = """
        #!lua name=atpd
        local function fenced(meta, epoch)
          local current = redis.call('HGET', meta, 'epoch')
          if current ~= epoch then
            return redis.error_reply('FENCED ' .. meta .. ' is at epoch ' .. tostring(current) .. ', the writer at ' .. epoch)
          end
          return nil
        end

        local function commit(keys, args)
          local n = #keys / 2
          local lengths = {}
          for i = 0, n - 1 do
            local refusal = fenced(keys[2 * i + 1], args[3 * i + 1])
            if refusal then return refusal end
            lengths[i] = redis.call('STRLEN', keys[2 * i + 2])
            if lengths[i] < tonumber(args[3 * i + 2]) then
              return redis.error_reply('LOGLOST ' .. keys[2 * i + 2] .. ' holds ' .. lengths[i] .. ' bytes, '
                .. args[3 * i + 2] .. ' were acknowledged')
            end
          end
          for i = 0, n - 1 do
            local log = keys[2 * i + 2]
            local known = tonumber(args[3 * i + 2])
            if lengths[i] > known then
              if known == 0 then
                redis.call('DEL', log)
              else
                redis.call('SET', log, redis.call('GETRANGE', log, 0, known - 1))
              end
            end
            local frames = args[3 * i + 3]
            if #frames > 0 then redis.call('APPEND', log, frames) end
          end
          return n
        end

        local function rotate(keys, args)
          for i = 1, #keys do
            local refusal = fenced(keys[i], args[i + 1])
            if refusal then return refusal end
          end
          for i = 1, #keys do redis.call('HSET', keys[i], 'head', args[1]) end
          return #keys
        end

        local function publish(keys, args)
          local refusal = fenced(keys[1], args[1])
          if refusal then return refusal end
          redis.call('HSET', keys[1], 'snap', args[2])
          for i = 2, #keys do redis.call('UNLINK', keys[i]) end
          return 1
        end

        redis.register_function('atpd_commit', commit)
        redis.register_function('atpd_rotate', rotate)
        redis.register_function('atpd_publish', publish)
        redis.register_function{function_name = 'atpd_version', callback = function() return \(version) end,
          flags = {'no-writes'}}
        """

    /// Makes sure Redis holds this version of the library: loads it when it is missing or older
    /// (atomically, `REPLACE`).
    /// - Throws: `.configuration` when Redis has no Functions (older than 7.0) or holds a newer
    ///   library; `.unavailable` when Redis cannot be reached.
    static func install(on connection: RedisConnection) throws(StoreError) {
        let reply = try redisCall { () throws(RedisError) in
            try connection.command(["FCALL_RO", "atpd_version", "0"])
        }
        if let message = reply.errorMessage {
            if message.contains("unknown command") {
                throw .configuration(
                    "redis \(connection.url): this Redis has no Functions (FCALL_RO is unknown); atpd needs Redis ≥ 7.0"
                )
            }
            guard message.contains("not found") || message.contains("Function not") else {
                throw .configuration("redis \(connection.url): FCALL_RO atpd_version answered \(message)")
            }
        } else if let loaded = reply.integer {
            if loaded == version { return }
            if loaded > version {
                throw .configuration(
                    "redis \(connection.url): it holds atpd's function library version \(loaded), newer than this "
                        + "atpd's \(version); run the newer atpd")
            }
        }
        let load = try redisCall { () throws(RedisError) in
            try connection.command(["FUNCTION", "LOAD", "REPLACE", library])
        }
        if let message = load.errorMessage {
            throw .configuration(
                "redis \(connection.url): FUNCTION LOAD of atpd's library refused: \(message)")
        }
    }
}
