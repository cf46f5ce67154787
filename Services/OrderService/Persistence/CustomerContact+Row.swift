import Postgres

extension CustomerContact {
    /// The customer's columns (`email`, `first_name`, `last_name`, `phone`) of a row that
    /// joined `customers`.
    init(row: PostgresRow) throws {
        self.init(
            email: try row.decode("email"),
            firstName: try row.decode("first_name"),
            lastName: try row.decode("last_name"),
            phone: try row.decode("phone")
        )
    }
}
