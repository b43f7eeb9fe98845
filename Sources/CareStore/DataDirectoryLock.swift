package import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive claim on a data directory (`flock` on `carehome.lock`), released when this value is
/// dropped or the process ends, even by `kill -9`.
///
/// `carehome restore` takes it so it never swaps the database under a running server. The server
/// should take it for as long as it serves (`DataDirectoryLock.acquire(dataDirectory:purpose:)`);
/// until then `restore` also looks at SQLite's own shared-memory lock to see whether another process
/// has the database open.
package final class DataDirectoryLock: Sendable {
    /// The lock file inside the data directory.
    package static let fileName = "carehome.lock"
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Takes the lock or throws at once, saying who probably holds it.
    package static func acquire(dataDirectory: URL, purpose: String) throws -> DataDirectoryLock {
        let path = dataDirectory.appendingPathComponent(fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw StoreError(.cannotOpen, "Cannot open \(path) to \(purpose): \(String(cString: strerror(errno))).")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError(.restoreRefused, "Cannot \(purpose): another carehome process is using \(dataDirectory.path) (probably the running appliance). Stop it first with `sudo systemctl stop carehome`, then try again.")
        }
        return DataDirectoryLock(descriptor: fd)
    }

    /// Whether some other process has the SQLite database `file` open in WAL mode: SQLite keeps a
    /// shared lock on the "dead man switch" byte (offset 128) of the `-shm` file while it is open.
    package static func databaseIsOpenElsewhere(_ file: URL) -> Bool {
        let fd = open(file.path + "-shm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var query = flock()
        query.l_type = Int16(F_WRLCK)
        query.l_whence = Int16(SEEK_SET)
        query.l_start = 128
        query.l_len = 1
        guard fcntl(fd, F_GETLK, &query) == 0 else { return false }
        return query.l_type != Int16(F_UNLCK)
    }
}
