/// Everything one `atp-load` invocation was asked to do.
///
/// Thread-safety: a value type.
public struct LoadOptions: Sendable {
    public var target = "http://127.0.0.1:8080"
    /// A built-in scenario name or a JSON scenario file.
    public var scenario = "checkout"
    public var durationNanoseconds: Int64 = 30_000_000_000
    public var warmupNanoseconds: Int64 = 5_000_000_000
    public var connections = 64
    /// Load threads, each an epoll loop multiplexing its share of the connections (one request
    /// in flight per connection); nil = `defaultThreads`.
    public var threads: Int?
    /// Requests per second across all threads (open loop); nil = as fast as possible.
    public var rate: Int?
    /// Catalogue size; nil = the scenario file's, else 10,000 skus × 4 locations.
    public var skus: Int?
    public var locations: Int?
    public var token: String?
    public var slos: [ServiceLevelObjective] = []
    public var reportJSON: String?
    public var reportHTML: String?
    /// A second target run with the same settings.
    public var compare: String?
    public var seed: UInt64?
    /// No progress line.
    public var quiet = false
    public var timeoutMilliseconds = 10_000
    /// Processes whose CPU time in the measured window is reported (`--cpu-pid`, same machine).
    public var cpuPIDs: [Int32] = []

    public init() {}

    /// Load threads when `--threads` is not given. A load thread costs about as much CPU per
    /// request as the server does (mostly the kernel's loopback TCP work, which the sender pays
    /// for), so on the 2-core machine with atpd's 2 threads beside it, two load threads let the
    /// scheduler split the cores about evenly between client and server; one thread capped the
    /// client near 2/3 of a core (its fair share among three runnable threads) and with it the
    /// throughput of both targets. On a separate load machine, give one per core.
    public static let defaultThreads = 2

    public var threadCount: Int { max(1, min(threads ?? Self.defaultThreads, connections)) }
}

/// `atp-load --help`.
public let loadUsage = """
    atp-load — the holiday-peak rehearsal harness for atpd (and the Redis+Lua baseline)

    usage: atp-load [options]

      --target URL          http://host:port of atpd, or redis://host:port for the Redis+Lua
                            baseline (default http://127.0.0.1:8080)
      --scenario NAME|FILE  browse | checkout | warehouse | flash-sale | holiday-peak, or a JSON
                            scenario file (default checkout)
      --duration D          measured run time, e.g. 30s, 2m (default 30s)
      --warmup D            load before measuring starts (default 5s)
      --connections N       keep-alive connections, one simulated client each with one
                            request in flight (default 64)
      --threads N           load threads, each an epoll loop over its share of the connections
                            (default 2)
      --rate N              open loop: N requests/s in total, latency measured from each
                            request's due time (wrk2); omit for closed-loop max throughput
      --skus N              regular skus in the catalogue (default 10000)
      --locations N         locations per sku (default 4)
      --token TOKEN         bearer token (needs read, reserve and ingest scopes)
      --slo EXPR            objective, repeatable: p99<5ms, hold.p99.9<20ms, max<1s, mean<2ms
      --report-json FILE    write the results as JSON
      --report-html FILE    write a self-contained HTML report with SVG charts
      --compare URL         run the same load against a second target and print the ratios
      --seed N              random seed (default: random)
      --timeout D           per-request timeout (default 10s)
      --cpu-pid PID         also report the CPU time process PID (say atpd or redis-server on
                            this machine) used in the measured window; repeatable
      --quiet               no progress line
      --help                this text

    The run seeds its own catalogue (fresh, run-tagged skus) through POST /v1/events (Redis:
    HSET), then reads every cell back and checks the invariants: reserved within what the
    successful holds account for, no negative available, onHand as fulfilments left it, and
    flash-sale holds within the stock.
    Exit status: 0 pass; 1 an invariant broke or an SLO was missed; 2 usage; 3 target failure.

    """
