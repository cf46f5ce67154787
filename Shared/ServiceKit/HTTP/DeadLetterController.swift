import Foundation
import Hummingbird
import Messaging
import Postgres

/// `GET /admin/dead-letters?limit=` lists what the service's dead-letter queue holds and why;
/// `POST /admin/dead-letters/replay` with `{"messageIds": [...]}` or `{"all": true}` sends
/// those messages back to the service's queue with a fresh set of attempts. Replaying a
/// message twice finds it gone the second time (`notFound`), and a message replayed and
/// handled again changes nothing twice: every consumer's effect is idempotent.
///
/// One list or replay of a queue at a time, over every replica: each holds the messages it
/// reads until it ends, which another would not see. A database advisory lock, held for the
/// call, decides; a second caller meanwhile gets 409.
struct DeadLetterController: Sendable {
    let queue: DeadLetterQueue
    let pool: PostgresPool

    static let maxBodyBytes = 256 * 1024
    static let maxListed = 500

    struct ReplayRequest: Decodable {
        var messageIds: [String]?
        var all: Bool?
    }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("dead-letters") { request, _ -> DeadLetterQueue.Listing in
            let limit = try Self.limit(request.uri.queryParameters["limit"].map(String.init))
            return try await alone { try await queue.list(limit: limit) }
        }
        group.post("dead-letters/replay") { request, _ -> DeadLetterQueue.Replay in
            var request = request
            let body = Data(buffer: try await request.collectBody(upTo: Self.maxBodyBytes))
            let ids = try Self.selection(body)
            return try await alone { try await queue.replay(ids: ids) }
        }
    }

    /// Runs `work` while holding the queue's lock; 409 if another call holds it, 503 if the
    /// database or the broker cannot be reached.
    private func alone<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        do {
            return try await pool.withTransaction { tx in
                // The transaction sits idle while the broker works, for as long as the replay
                // takes: the server must not end it (and its lock) halfway.
                _ = try await tx.query("SET LOCAL idle_in_transaction_session_timeout = 0")
                let key = "dead-letters:" + queue.topology.deadLetterQueue
                guard try await tx.query("SELECT pg_try_advisory_xact_lock(hashtext(\(key))) AS locked").scalar("locked", as: Bool.self) == true
                else {
                    throw HTTPError(
                        .conflict,
                        message: "another list or replay of \(queue.topology.deadLetterQueue) is running; try again when it ends"
                    )
                }
                return try await work()
            }
        } catch let error as AMQPError {
            throw HTTPError(.serviceUnavailable, message: "the broker: \(error)")
        } catch let error as PostgresError {
            throw HTTPError(.serviceUnavailable, message: "the database: \(error.message)")
        }
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let limit = Int(text), (1...maxListed).contains(limit) else {
            throw HTTPError(.badRequest, message: "limit must be a whole number from 1 to \(maxListed)")
        }
        return limit
    }

    /// The ids asked for, or nil for every parked message.
    static func selection(_ body: Data) throws -> Set<String>? {
        guard let request = try? JSONDecoder().decode(ReplayRequest.self, from: body) else {
            throw HTTPError(.badRequest, message: #"the body must be {"messageIds": ["…"]} or {"all": true}"#)
        }
        switch (request.messageIds, request.all) {
        case (nil, true?):
            return nil
        case (let ids?, nil), (let ids?, false?):
            guard !ids.isEmpty, ids.allSatisfy({ !$0.isEmpty }) else {
                throw HTTPError(.badRequest, message: "messageIds must name at least one message, none of them empty")
            }
            return Set(ids)
        default:
            throw HTTPError(.badRequest, message: #"give either "messageIds" or "all": true, not both"#)
        }
    }
}

extension DeadLetterQueue.Listing: ResponseEncodable {}
extension DeadLetterQueue.Replay: ResponseEncodable {}
