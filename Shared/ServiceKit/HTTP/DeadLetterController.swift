import Foundation
import Hummingbird
import Messaging

/// `GET /admin/dead-letters?limit=` lists what the service's dead-letter queue holds and why;
/// `POST /admin/dead-letters/replay` with `{"messageIds": [...]}` or `{"all": true}` sends
/// those messages back to the service's queue with a fresh set of attempts. Replaying a
/// message twice finds it gone the second time (`notFound`), and a message replayed and
/// handled again changes nothing twice: every consumer's effect is idempotent.
struct DeadLetterController: Sendable {
    let queue: DeadLetterQueue

    static let maxBodyBytes = 256 * 1024
    static let maxListed = 500

    struct ReplayRequest: Decodable {
        var messageIds: [String]?
        var all: Bool?
    }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("dead-letters") { request, _ -> DeadLetterQueue.Listing in
            let limit = try Self.limit(request.uri.queryParameters["limit"].map(String.init))
            return try await queue.list(limit: limit)
        }
        group.post("dead-letters/replay") { request, _ -> DeadLetterQueue.Replay in
            var request = request
            let body = Data(buffer: try await request.collectBody(upTo: Self.maxBodyBytes))
            return try await queue.replay(ids: try Self.selection(body))
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
