import Foundation

// PushBenchmarks — channel push (ATPPush) measured end to end. See Benchmarks/Push/README.md.
//
//   swift run -c release PushBenchmarks [lag] [options]     part 1: lag and throughput, one channel
//   swift run -c release PushBenchmarks writer --port P ...  part 2's background stock writer
//
// Benchmarks/Push/run.sh runs part 1 and then part 2 (atpd + wrk + 50 channels + this writer).

let usage = """
    usage: PushBenchmarks [lag] [--skus N] [--rate CHANGES_PER_S] [--seconds S] [--samples N] [--warmup S]
                          [--burst-skus N] [--burst-changes N] [--idle-seconds S] [--idle-channels N]
                          [--channel-rate R] [--channel-burst N] [--max-batch N] [--server-threads N]
                          [--receiver-threads N]
           PushBenchmarks writer --port P [--rate EVENTS_PER_S] [--batch N] [--skus N] [--seconds S] [--tag T]
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("PushBenchmarks: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var mode = "lag"
if let first = arguments.first, !first.hasPrefix("-") {
    mode = first
    arguments.removeFirst()
}

func value<T: LosslessStringConvertible>(_ name: String, _ it: inout IndexingIterator<[String]>) -> T {
    guard let text = it.next(), let v = T(text) else { fail("\(name) needs a value\n\(usage)") }
    return v
}

do {
    switch mode {
    case "lag":
        var o = LagBenchmark.Options()
        var it = arguments.makeIterator()
        while let a = it.next() {
            switch a {
            case "--skus": o.skus = value(a, &it)
            case "--rate": o.rate = value(a, &it)
            case "--seconds": o.seconds = value(a, &it)
            case "--samples": o.samples = value(a, &it)
            case "--warmup": o.warmup = value(a, &it)
            case "--burst-skus": o.burstSkus = value(a, &it)
            case "--burst-changes": o.burstChanges = value(a, &it)
            case "--idle-seconds": o.idleSeconds = value(a, &it)
            case "--idle-channels": o.idleChannels = value(a, &it)
            case "--channel-rate": o.ratePerSecond = value(a, &it)
            case "--channel-burst": o.burst = value(a, &it)
            case "--max-batch": o.maxBatch = value(a, &it)
            case "--server-threads": o.serverThreads = value(a, &it)
            case "--receiver-threads": o.receiverThreads = value(a, &it)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown option \(a)\n\(usage)")
            }
        }
        guard o.skus > 0, o.burstSkus > 0, o.samples > 0, o.rate > 0, o.seconds > 0 else {
            fail("counts must be positive")
        }
        let bench = try LagBenchmark(options: o)
        defer { bench.stop() }
        try bench.run()
    case "writer":
        var o = Writer.Options()
        var it = arguments.makeIterator()
        while let a = it.next() {
            switch a {
            case "--port": o.port = value(a, &it)
            case "--rate": o.rate = value(a, &it)
            case "--batch": o.batch = value(a, &it)
            case "--skus": o.skus = value(a, &it)
            case "--seconds": o.seconds = value(a, &it)
            case "--tag": o.tag = value(a, &it)
            default: fail("unknown option \(a)\n\(usage)")
            }
        }
        guard o.rate > 0, o.batch > 0, o.skus > 0 else { fail("rate, batch and skus must be positive") }
        try Writer.run(o)
    case "-h", "--help", "help":
        print(usage)
    default:
        fail("unknown mode \(mode)\n\(usage)")
    }
} catch {
    fail("\(error)")
}
