import Postgres

extension OrderStatus {
    /// The `status` column of a row of `orders`.
    init(row: PostgresRow) throws {
        let text = try row.decode("status", as: String.self)
        guard let status = OrderStatus(rawValue: text) else {
            throw PostgresError(kind: .decoding, message: "unknown order status \(text)")
        }
        self = status
    }
}
