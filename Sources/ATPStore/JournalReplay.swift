import ATPEngine

/// Replay of journal frames into an engine, shared by the file and Redis stores' recovery.
///
/// Thread-safety: stateless; the engine is replayed from one thread before it serves.
enum JournalReplay {
    /// The payloads of a whole snapshot — every frame checksummed and well formed, and an empty
    /// end frame as the last bytes — or why it is not whole (nothing of it may be replayed then).
    /// - Complexity: O(snapshot bytes) for the checksums.
    static func snapshotFrames(_ data: UnsafeRawBufferPointer) -> Result<[Range<Int>], FrameError> {
        var frames: [Range<Int>] = []
        var offset = 0
        while true {
            switch JournalFrame.read(data, at: offset) {
            case .frame(let payload, let next):
                guard
                    let count = try? JournalFrame.recordCount(
                        in: UnsafeRawBufferPointer(rebasing: data[payload]))
                else {
                    return .failure(FrameError("malformed frame at offset \(offset)"))
                }
                if count == 0 {
                    guard next == data.count else {
                        return .failure(FrameError("\(data.count - next) bytes after the end mark"))
                    }
                    return .success(frames)
                }
                frames.append(payload)
                offset = next
            case .end: return .failure(FrameError("no end mark (cut short at \(offset) bytes)"))
            case .truncated, .damaged: return .failure(FrameError("damaged frame at offset \(offset)"))
            }
        }
    }

    /// Replays the records of one checksummed frame of `file` (its payload is `payload`).
    ///
    /// A record that does not decode, or that replay refuses, is quarantined with its offset and
    /// the rest of the frame still replays (records are length-prefixed); a payload whose lengths
    /// do not add up is quarantined whole. The checksum matched, so this is a record written by
    /// another version or by hand, not a torn write.
    /// - Returns: the records replayed.
    static func replayFrame(
        _ file: UnsafeRawBufferPointer, _ payload: Range<Int>, place: String, into engine: Engine,
        report: inout RecoveryReport
    ) -> Int {
        var replayed = 0
        let bytes = UnsafeRawBufferPointer(rebasing: file[payload])
        do throws(FrameError) {
            try JournalFrame.forEachRecord(in: bytes) { record, start in
                let offset = payload.lowerBound + start
                do throws(JournalDecodingError) {
                    if let problem = engine.replay(try JournalRecord.decode(record)) {
                        report.quarantine("\(place) offset \(offset)", problem)
                    } else {
                        replayed += 1
                    }
                } catch {
                    report.quarantine("\(place) offset \(offset)", "does not decode: \(error)")
                }
            }
        } catch {
            report.quarantine("\(place) frame at offset \(payload.lowerBound)", "malformed frame: \(error)")
        }
        return replayed
    }
}
