import Foundation

// EngineBenchmarks — the engine against a Mutex<[Key: Cell]> baseline, measured in one process.
//
//   swift run -c release EngineBenchmarks [--samples N] [--seconds S] [--skus N] [names...]
//
// Names: lookup, hold-release, hot-sku, reservation, load, hold-body (the service's decoding of a
// POST /v1/reservations body; no baseline) (default: all). Each benchmark warms up,
// then takes N samples and prints the median; ratios compare medians taken minutes apart at most,
// on the same machine, so they survive a noisy neighbour better than absolute figures.

struct Options {
    var harness = Harness()
    var skus = 100_000
    var loadSkus = 1_000_000
    var selected: Set<String> = []
    /// For hold-body: run exactly this many decodes (of body number `body` only, when given)
    /// and report nothing.
    var decodes: Int?
    var body: Int?

    static func parse() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--samples":
                options.harness.samples = Int(arguments.popFirst() ?? "") ?? options.harness.samples
            case "--seconds":
                options.harness.seconds = Double(arguments.popFirst() ?? "") ?? options.harness.seconds
            case "--skus": options.skus = Int(arguments.popFirst() ?? "") ?? options.skus
            case "--load-skus": options.loadSkus = Int(arguments.popFirst() ?? "") ?? options.loadSkus
            case "--decodes": options.decodes = Int(arguments.popFirst() ?? "")
            case "--body": options.body = Int(arguments.popFirst() ?? "")
            case "-h", "--help":
                emit(
                    "usage: EngineBenchmarks [--samples N] [--seconds S] [--skus N] [--load-skus N] [--decodes N [--body I]] [lookup|hold-release|hot-sku|reservation|load|hold-body ...]"
                )
                exit(0)
            default: options.selected.insert(argument)
            }
        }
        return options
    }

    func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }
}

/// Writes a line to standard output unbuffered, so progress shows while benchmarks run.
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func format(_ value: Double, unit: String) -> String {
    if unit == "B/cell" { return String(format: "%.1f %@", value, unit) }
    if value >= 1e6 { return String(format: "%.2f M %@", value / 1e6, unit) }
    return String(format: "%.0f %@", value, unit)
}

func report(_ row: Row) {
    let ratio: String
    if let baseline = row.baseline, baseline > 0 {
        // For memory, lower is better: show baseline/engine so ">1x" always means "engine better".
        ratio = String(format: "%.2fx", row.unit == "B/cell" ? baseline / row.engine : row.engine / baseline)
    } else {
        ratio = "-"
    }
    let baseline = row.baseline.map { format($0, unit: row.unit) } ?? "-"
    emit(
        row.name.padding(toLength: 52, withPad: " ", startingAt: 0)
            + format(row.engine, unit: row.unit).padding(toLength: 24, withPad: " ", startingAt: 0)
            + baseline.padding(toLength: 24, withPad: " ", startingAt: 0) + ratio
            + (row.note.isEmpty ? "" : "  (\(row.note))"))
}

let options = Options.parse()
if let decodes = options.decodes {
    HoldBodyBenchmark.run(count: decodes, body: options.body)
    exit(0)
}
let harness = options.harness
emit(
    "EngineBenchmarks: \(harness.samples) samples x \(harness.seconds)s after warm-up, medians; \(ProcessInfo.processInfo.activeProcessorCount) cores"
)
emit(
    "benchmark".padding(toLength: 52, withPad: " ", startingAt: 0)
        + "atpd engine".padding(toLength: 24, withPad: " ", startingAt: 0)
        + "Mutex<[Key: Cell]>".padding(toLength: 24, withPad: " ", startingAt: 0)
        + "ratio (>1 = engine better)")
if ["lookup", "hold-release", "hot-sku", "reservation"].contains(where: options.wanted) {
    let catalogue = Catalogue(skus: options.skus, onHand: 1_000_000)
    if options.wanted("lookup") {
        report(lookups(catalogue, threads: 1, harness: harness))
        report(lookups(catalogue, threads: 2, harness: harness))
        report(batchLookups(catalogue, threads: 1, batch: 24, harness: harness))
        report(batchLookups(catalogue, threads: 2, batch: 24, harness: harness))
    }
    if options.wanted("hold-release") {
        report(holdRelease(catalogue, threads: 1, harness: harness))
        report(holdRelease(catalogue, threads: 2, harness: harness))
    }
    if options.wanted("hot-sku") { report(hotSku(catalogue, harness: harness)) }
    if options.wanted("reservation") {
        report(reservations(catalogue, threads: 1, harness: harness))
        report(reservations(catalogue, threads: 2, harness: harness))
    }
}
if options.wanted("hold-body") {
    for row in HoldBodyBenchmark.rows(harness: harness) { report(row) }
}
if options.wanted("load") {
    for row in loadCells(skus: options.loadSkus, locations: 5) { report(row) }
}
