import Foundation
import Glibc
import Synchronization

/// A child process the tests start: `posix_spawn`, with its exit awaited by `waitpid` on a
/// thread of its own. Foundation's `Process` is not used: on Linux it can miss a child's exit
/// when several run at once (its `waitUntilExit` then never returns), and it waits on a
/// thread of the concurrency pool, which has only as many threads as cores.
public final class Subprocess: Sendable {
    public enum Output: Sendable {
        case inherit, discard
        /// Collected, stdout and stderr together, and returned by `wait()`.
        case capture
        case file(String)
    }

    public struct Termination: Sendable, Equatable {
        /// The exit status, or nil if a signal ended the process.
        public var exitStatus: Int32?
        public var signal: Int32?
        public var output: String
    }

    public let pid: pid_t
    public let name: String
    private let state = Mutex<(termination: Termination?, waiters: [CheckedContinuation<Termination, Never>])>((nil, []))

    /// Starts `executable` (a path, or a name looked up in PATH) with `arguments`, and the
    /// test's environment unless `environment` is given. Signals are unblocked and at their
    /// defaults in the child, whatever the test process blocks.
    public init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String]? = nil,
        stdout: Output = .inherit,
        stderr: Output = .inherit
    ) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipe: [Int32] = [-1, -1]
        // Close-on-exec, so that no other child started meanwhile holds the pipe open (dup2
        // clears the flag on the child's own 1 and 2).
        if case .capture = stdout, Self.pipe2(&pipe, O_CLOEXEC) != 0 { throw TestFailure("pipe failed: \(errno)") }
        if case .capture = stderr, pipe[0] < 0, Self.pipe2(&pipe, O_CLOEXEC) != 0 { throw TestFailure("pipe failed: \(errno)") }
        for (output, descriptor) in [(stdout, Int32(1)), (stderr, Int32(2))] {
            switch output {
            case .inherit: break
            case .discard: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            case .capture: posix_spawn_file_actions_adddup2(&actions, pipe[1], descriptor)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            }
        }
        // Nothing else of the test process's (sockets, other children's pipes) reaches the child.
        _ = Self.closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = Self.withCStrings([executable] + arguments) { argv in
            Self.withCStrings(environment) { envp in
                executable.contains("/")
                    ? posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
                    : posix_spawnp(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        if pipe[1] >= 0 { close(pipe[1]) }
        guard result == 0 else {
            if pipe[0] >= 0 { close(pipe[0]) }
            throw TestFailure("could not start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        let reader = pipe[0]
        let child = pid
        let thread = Thread { [self] in
            var output = Data()
            if reader >= 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(reader, &buffer, buffer.count)
                    if count > 0 { output.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EINTR { break }
                }
                close(reader)
            }
            // Waited for without reaping, then reaped under the lock `send` takes: a signal is
            // never sent to a pid the system may have given to another process.
            var info = siginfo_t()
            while waitid(P_PID, id_t(child), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            finish(output: String(decoding: output, as: UTF8.self)) {
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(child, &status, 0) } while result == -1 && errno == EINTR
                let signal = status & 0x7f
                return result == child
                    ? (signal == 0 ? (status >> 8) & 0xff : nil, signal == 0 ? nil : signal)
                    : (nil, nil)
            }
        }
        thread.start()
    }

    /// Runs a command to its end and returns its output (stdout and stderr together); throws
    /// if it does not exit with status 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil) async throws -> String {
        let termination = try await Subprocess(executable, arguments, environment: environment, stdout: .capture, stderr: .capture).wait()
        guard termination.exitStatus == 0 else {
            throw TestFailure("\(([executable] + arguments).joined(separator: " ")) ended with \(termination.description)\n\(termination.output)")
        }
        return termination.output
    }

    public var isRunning: Bool { state.withLock { $0.termination == nil } }
    public var termination: Termination? { state.withLock { $0.termination } }

    /// Waits, off the concurrency pool, until the process has ended.
    public func wait() async -> Termination {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Termination? in
                if state.termination == nil { state.waiters.append(continuation) }
                return state.termination
            }
            if let done { continuation.resume(returning: done) }
        }
    }

    /// Sends `signal` unless the process has already ended (so never to a reused pid).
    public func send(_ signal: Int32) {
        state.withLock { if $0.termination == nil { _ = kill(pid, signal) } }
    }

    private func finish(output: String, reap: () -> (exitStatus: Int32?, signal: Int32?)) {
        let (termination, waiters) = state.withLock { state in
            let (exitStatus, signal) = reap()
            state.termination = Termination(exitStatus: exitStatus, signal: signal, output: output)
            defer { state.waiters = [] }
            return (state.termination!, state.waiters)
        }
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    // glibc's pipe2 and posix_spawn_file_actions_addclosefrom_np (2.34+), which its Swift
    // module map leaves out (they need _GNU_SOURCE).
    private static let pipe2 = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "pipe2")!,
        to: (@convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32).self
    )
    private static let closeFrom = unsafeBitCast(
        dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")!,
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self
    )

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        return body(pointers)
    }
}

extension Subprocess.Termination: CustomStringConvertible {
    public var description: String {
        if let exitStatus { "exit status \(exitStatus)" } else if let signal { "signal \(signal)" } else { "an unknown end (waitpid failed)" }
    }
}
