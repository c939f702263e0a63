/// A binary min-heap of (deadline, id) pairs.
///
/// Thread-safety: a value type; callers synchronize.
/// - Complexity: `push` and `pop` are O(log n), `min` O(1).
public struct DeadlineHeap: Sendable {
    public init() {}

    private var items: [(deadline: Int64, id: UInt64)] = []

    public var count: Int { items.count }
    public var min: (deadline: Int64, id: UInt64)? { items.first }

    public mutating func push(deadline: Int64, id: UInt64) {
        items.append((deadline, id))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    public mutating func pop() -> (deadline: Int64, id: UInt64)? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count, items[left].deadline < items[smallest].deadline { smallest = left }
                if right < items.count, items[right].deadline < items[smallest].deadline { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
