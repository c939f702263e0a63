import ATPPosix
import Glibc

/// Thin wrappers over the file calls the file store makes: each retries `EINTR` and turns every
/// other errno into `StoreError.io` naming the call, the file and the error (the shape of
/// swift-nio's `System.swift`).
/// Thread-safety: stateless; safe from any thread.
enum FileSystem {
    /// The error for a failed `call` on `path` with `code`.
    static func error(_ call: String, _ path: String, _ code: Int32 = errno) -> StoreError {
        .io("\(call) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }

    /// Runs `body` until it stops failing with EINTR (`Syscall.retryingInterrupts`); a negative
    /// result throws.
    @inline(__always)
    static func retrying(_ call: String, _ path: String, _ body: () -> Int) throws(StoreError) -> Int {
        let (result, code) = Syscall.retryingInterrupts(body)
        if code != 0 { throw error(call, path, code) }
        return result
    }

    /// Writes all of `bytes` at the file's current offset, continuing after short writes.
    /// - Complexity: O(bytes); usually one `write(2)`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let written = try retrying("write", path) { write(fd, rest.baseAddress, rest.count) }
            if written == 0 { throw StoreError.io("write \(path): wrote nothing") }
            offset += written
        }
    }

    /// Writes all of a byte array.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(StoreError) in try writeAll(fd, raw, path: path) }
        }
        try result.get()
    }

    /// `fdatasync`: the file's data (and the size needed to read it) is on stable storage.
    static func syncData(_ fd: Int32, path: String) throws(StoreError) {
        _ = try retrying("fdatasync", path) { Int(fdatasync(fd)) }
    }

    /// `fsync`: data and metadata; for a directory, its entries.
    static func sync(_ fd: Int32, path: String) throws(StoreError) {
        _ = try retrying("fsync", path) { Int(fsync(fd)) }
    }

    /// Cuts or extends the file to `length` bytes.
    static func truncate(_ fd: Int32, to length: Int, path: String) throws(StoreError) {
        _ = try retrying("ftruncate", path) { Int(ftruncate(fd, off_t(length))) }
    }

    /// The file's size in bytes.
    static func size(_ fd: Int32, path: String) throws(StoreError) -> Int {
        var info = stat()
        _ = try retrying("fstat", path) { Int(fstat(fd, &info)) }
        return Int(info.st_size)
    }

    /// Closes `fd`; errors are ignored, as nothing can be done about them.
    static func close(_ fd: Int32) {
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    /// Creates `path` and any missing parents, like `mkdir -p`, readable by the owner only: the
    /// journal holds the channels' webhook secrets.
    static func makeDirectories(_ path: String) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST { throw error("mkdir", prefix) }
        }
    }

    /// Reads a whole file into memory with `mmap`.
    static func map(_ fd: Int32, path: String) throws(StoreError) -> MappedFile {
        let size = try size(fd, path: path)
        guard size > 0 else { return MappedFile(base: nil, count: 0) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw error("mmap", path)
        }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return MappedFile(base: base, count: size)
    }
}

/// A read-only mapping of a file; `unmap` it when done.
/// Thread-safety: a value type over memory that must not be used after `unmap`.
struct MappedFile {
    let base: UnsafeMutableRawPointer?
    let count: Int

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func unmap() {
        if let base { _ = munmap(base, count) }
    }
}

/// The store's directory: an open descriptor for `*at` calls and `fsync`, and the lock that keeps
/// a second process (or a second store in this one) out.
///
/// The lock is `flock(LOCK_EX | LOCK_NB)` on `<dir>/LOCK`, which holds the owner's pid for the
/// error message; `flock` locks belong to the open file, so two stores in one process exclude each
/// other too. The kernel drops the lock when the process dies, however it dies.
/// Thread-safety: immutable after `init`; `release` once, at the end.
final class StoreDirectory: Sendable {
    let path: String
    let fd: Int32
    private let lockFD: Int32

    /// Creates the directory if missing, opens it and takes its lock.
    /// - Throws: `.configuration` naming the holder when another store has the lock; `.io` when
    ///   the directory cannot be created or opened.
    init(path: String) throws(StoreError) {
        try FileSystem.makeDirectories(path)
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystem.error("open", path) }
        let lockFD = openat(fd, "LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            let failure = FileSystem.error("open", path + "/LOCK")
            FileSystem.close(fd)
            throw failure
        }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var holder = [UInt8](repeating: 0, count: 64)
            let n = pread(lockFD, &holder, holder.count, 0)
            let text =
                n > 0
                ? String(decoding: holder[..<n], as: UTF8.self).split(separator: "\n").first.map(String.init)
                : nil
            FileSystem.close(lockFD)
            FileSystem.close(fd)
            if code == EWOULDBLOCK {
                throw .configuration("\(path) is in use by another store (\(text ?? "holder unknown"))")
            }
            throw FileSystem.error("flock", path + "/LOCK", code)
        }
        let owner = Array("pid \(getpid())\n".utf8)
        _ = ftruncate(lockFD, 0)
        _ = pwrite(lockFD, owner, owner.count, 0)
        self.path = path
        self.fd = fd
        self.lockFD = lockFD
    }

    /// The full path of `name` in this directory.
    func path(of name: String) -> String { path + "/" + name }

    /// Opens `name` in this directory with `flags` (`O_CLOEXEC` is added); a file it creates is
    /// readable by the owner only.
    func open(_ name: String, _ flags: Int32) throws(StoreError) -> Int32 {
        Int32(
            try FileSystem.retrying("open", path(of: name)) {
                Int(openat(fd, name, flags | O_CLOEXEC, 0o600))
            })
    }

    /// Renames `from` to `to` atomically, replacing `to`.
    func rename(_ from: String, to: String) throws(StoreError) {
        _ = try FileSystem.retrying("rename", path(of: from)) { Int(renameat(fd, from, fd, to)) }
    }

    /// Removes `name`; a missing file is not an error.
    func remove(_ name: String) throws(StoreError) {
        if unlinkat(fd, name, 0) != 0 && errno != ENOENT { throw FileSystem.error("unlink", path(of: name)) }
    }

    /// Makes the directory's entries (created, renamed files) durable.
    func sync() throws(StoreError) { try FileSystem.sync(fd, path: path) }

    /// The names in the directory, without `.` and `..`.
    func names() throws(StoreError) -> [String] {
        let dup = dup(fd)
        guard dup >= 0, let dir = fdopendir(dup) else { throw FileSystem.error("opendir", path) }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Closes the directory and drops the lock.
    func release() {
        FileSystem.close(lockFD)
        FileSystem.close(fd)
    }
}
