import Synchronization

/// How long a caller waits for work that may outlast its client's patience (Shopify gives up
/// on a webhook after 5 s). Past the deadline the caller gets `AnswerDeadline.Exceeded` and
/// can say "retry later"; the work itself goes on, so whatever it commits still counts (a
/// delivery stored after its 503 is found stored when Shopify sends it again).
public struct AnswerDeadline: Sendable {
    public struct Exceeded: Error, CustomStringConvertible {
        public let limit: Duration
        public init(limit: Duration) { self.limit = limit }
        public var description: String { "no answer within \(limit)" }
    }

    public let limit: Duration
    /// When the caller stops waiting: `limit` after its request arrived.
    public let deadline: ContinuousClock.Instant

    public init(_ limit: Duration, from start: ContinuousClock.Instant = .now) {
        self.limit = limit
        deadline = start.advanced(by: limit)
    }

    public func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let answer = Answer<T>()
        let (limit, deadline) = (self.limit, self.deadline)
        return try await withCheckedThrowingContinuation { continuation in
            answer.wait(continuation)
            // Whichever ends first answers; the other finds the answer given.
            let timer = Task {
                try await Task.sleep(until: deadline, clock: .continuous)
                answer.give(.failure(Exceeded(limit: limit)))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                timer.cancel()
                answer.give(result)
            }
        }
    }
}

/// A continuation resumed once, by the first to give an answer.
private final class Answer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation.withLock { $0 = continuation }
    }

    func give(_ result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
