import ATPFuzz
import Foundation

// Writes every fuzz target's seed inputs to <folder>/<target>/<name> (run.sh --seeds).
guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: fuzz-seeds CORPUS-FOLDER\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: CommandLine.arguments[1])
for seed in FuzzSeeds.all {
    let directory = folder.appendingPathComponent(seed.target)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(seed.bytes).write(to: directory.appendingPathComponent(seed.name))
}
print("wrote \(FuzzSeeds.all.count) seeds to \(folder.path)")
