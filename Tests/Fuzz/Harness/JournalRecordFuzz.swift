import ATPEngine

/// Fuzz target: the journal record decoder.
///
/// Input: the bytes of one record, as recovery reads them from a frame.
/// Invariants: a decoded record encodes to bytes that decode to the same record and encode to the
/// same bytes again. (`==` compares a channel's rate as a Double, so a record with a NaN rate,
/// which replay refuses, never equals itself; it still has to come back bit for bit.) No read past
/// the record (AddressSanitizer).
public enum JournalRecordFuzz {
    public static func run(_ data: UnsafeRawBufferPointer) {
        guard let record = Fuzz.withExactCopy(data, { try? JournalRecord.decode($0) }) else { return }
        let encoded = record.encoded
        do throws(JournalDecodingError) {
            let again = try JournalRecord.decode(encoded)
            Fuzz.expect(again == record || hasNaNRate(record), "re-encoded \(record) decodes to \(again)")
            Fuzz.expect(again.encoded == encoded, "re-encoding \(record) is not stable")
        } catch {
            Fuzz.fail("re-encoded \(record) does not decode: \(error)")
        }
    }

    private static func hasNaNRate(_ record: JournalRecord) -> Bool {
        guard case .channelDefined(let view) = record else { return false }
        return view.delivery?.ratePerSecond.isNaN == true
    }
}
