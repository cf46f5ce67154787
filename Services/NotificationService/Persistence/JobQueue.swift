import Common
import Foundation
import Postgres

/// The Postgres-backed job queue: PENDING → PROCESSING (claimed with `FOR UPDATE SKIP
/// LOCKED` under a lease) → COMPLETED, or back to PENDING with the next attempt time, or
/// FAILED after the maximum attempts. A lease that runs out (its worker died or hung) makes
/// the job claimable again; completing or failing needs the claim's token, so a worker whose
/// lease was taken back can no longer record anything (fencing).
struct JobQueue: Sendable {
    let pool: PostgresPool
    var backoff = RetryPolicy.jobs
    var maxAttempts = 8

    /// Creates jobs, at most one per (event, channel, recipient); returns how many were new.
    @discardableResult
    func enqueue(_ jobs: [NewJob], in tx: PostgresLease) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        let json = String(decoding: try JSONEncoder().encode(jobs), as: UTF8.self)
        return try await tx.query(
            """
            INSERT INTO jobs (event_id, channel, recipient, template, message, shopify_order_id, max_attempts)
            SELECT event_id, channel, recipient, template, message, shopify_order_id, \(maxAttempts)
            FROM jsonb_to_recordset(\(json)::jsonb)
                AS j(event_id text, channel text, recipient text, template text, message jsonb, shopify_order_id text)
            ORDER BY event_id, channel, recipient
            ON CONFLICT ON CONSTRAINT jobs_once DO NOTHING
            """
        ).affectedRows
    }

    /// Claims up to `limit` due jobs (pending and due, or leased to a worker whose lease ran
    /// out) for `lease`, from each of `channels` in turn.
    /// A job whose lease ran out is taken back once it ran out `expiredFor` ago (see
    /// `OutageMemory` for why that may be longer than at once).
    func claim(limit: Int, lease: Duration, channels: [Job.Channel] = [.email, .push], expiredFor: Duration = .zero) async throws -> [Job] {
        var claimed: [Job] = []
        for channel in channels where claimed.count < limit {
            claimed += try await claim(limit: limit - claimed.count, lease: lease, channel: channel, expiredFor: expiredFor)
        }
        return claimed
    }

    /// One channel's claim. Expired leases first (their jobs have waited longest), then due
    /// jobs oldest first; each read walks its index (`jobs_due`, `jobs_leased`) in that order
    /// and stops at `limit`, so a backlog does not make every claim slower.
    private func claim(limit: Int, lease: Duration, channel: Job.Channel, expiredFor: Duration) async throws -> [Job] {
        let leaseSeconds = lease.seconds
        let expiredSeconds = expiredFor.seconds
        return try await pool.query(
            """
            WITH expired AS (
                SELECT id FROM jobs
                WHERE state = 'PROCESSING' AND channel = \(channel.rawValue)
                  AND lease_until < now() - \(expiredSeconds) * interval '1 second'
                ORDER BY lease_until, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), due AS (
                SELECT id FROM jobs
                WHERE state = 'PENDING' AND channel = \(channel.rawValue) AND next_attempt_at <= now()
                ORDER BY next_attempt_at, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            ), chosen AS (
                SELECT id FROM expired UNION ALL SELECT id FROM due LIMIT \(limit)
            )
            UPDATE jobs j
            SET state = 'PROCESSING', lease_token = gen_random_uuid(),
                lease_until = now() + \(leaseSeconds) * interval '1 second', attempts = j.attempts + 1
            FROM chosen
            WHERE j.id = chosen.id
            RETURNING j.id, j.channel, j.recipient, j.template, j.message::text AS message, j.attempts, j.max_attempts, j.lease_token
            """
        ).map(Job.init)
    }

    /// Records a send. False if this claim no longer holds the job.
    func complete(_ job: Job) async throws -> Bool {
        try await complete([job]).contains(job.id)
    }

    /// Records several sends in one statement; returns the ids of the jobs whose claims still
    /// held (the others' leases had been taken back, and their new holders decide).
    func complete(_ jobs: [Job]) async throws -> Set<Int64> {
        guard !jobs.isEmpty else { return [] }
        let rows = try await pool.query(
            """
            UPDATE jobs SET state = 'COMPLETED', completed_at = now(), lease_token = NULL, lease_until = NULL, last_error = NULL
            FROM unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.leaseToken))::uuid[]) AS sent(id, token)
            WHERE jobs.id = sent.id AND jobs.state = 'PROCESSING' AND jobs.lease_token = sent.token
            RETURNING jobs.id
            """
        )
        return Set(try rows.map { try $0.decode("id", as: Int64.self) })
    }

    /// Records a failed attempt: pending again after a backoff, or FAILED after the last
    /// attempt. False if this claim no longer holds the job.
    func fail(_ job: Job, error: String) async throws -> Bool {
        let outcome = backoff.after(failedAttempt: job.attempts, of: job.maxAttempts)
        return try await pool.query(
            """
            UPDATE jobs
            SET state = \(outcome.isFinal ? "FAILED" : "PENDING"), last_error = \(String(error.prefix(1000))),
                next_attempt_at = now() + \(outcome.delay.seconds) * interval '1 second', lease_token = NULL, lease_until = NULL
            WHERE id = \(job.id) AND state = 'PROCESSING' AND lease_token = \(job.leaseToken)
            """
        ).affectedRows == 1
    }

    /// Gives a claimed job back without using up an attempt (its provider is unavailable, say),
    /// to be tried after `delay`.
    func postpone(_ job: Job, by delay: Duration, reason: String) async throws -> Bool {
        let seconds = delay.seconds
        return try await pool.query(
            """
            UPDATE jobs
            SET state = 'PENDING', attempts = attempts - 1, last_error = \(reason),
                next_attempt_at = now() + \(seconds) * interval '1 second', lease_token = NULL, lease_until = NULL
            WHERE id = \(job.id) AND state = 'PROCESSING' AND lease_token = \(job.leaseToken)
            """
        ).affectedRows == 1
    }

    /// Gives claimed jobs back unsent, due now, without using up an attempt.
    @discardableResult
    func release(_ jobs: [Job]) async throws -> Int {
        guard !jobs.isEmpty else { return 0 }
        return try await pool.query(
            """
            UPDATE jobs SET state = 'PENDING', attempts = attempts - 1, next_attempt_at = now(), lease_token = NULL, lease_until = NULL
            FROM unnest(\(jobs.map(\.id))::bigint[], \(jobs.map(\.leaseToken))::uuid[]) AS held(id, token)
            WHERE jobs.id = held.id AND jobs.state = 'PROCESSING' AND jobs.lease_token = held.token
            """
        ).affectedRows
    }

    /// An operator's retry of a FAILED job: pending now, with a fresh set of attempts.
    func retry(id: Int64) async throws -> Bool {
        try await pool.query(
            """
            UPDATE jobs SET state = 'PENDING', attempts = 0, next_attempt_at = now(), last_error = NULL
            WHERE id = \(id) AND state = 'FAILED'
            """
        ).affectedRows == 1
    }

    /// A job as stored, for the order history `GET /notifications` shows (absent values as null).
    struct Record: Codable, Sendable {
        var id: Int64
        var channel: String
        var recipient: String
        var template: String
        var state: String
        var attempts: Int
        var lastError: String?
        var createdAt: Date
        var completedAt: Date?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(channel, forKey: .channel)
            try container.encode(recipient, forKey: .recipient)
            try container.encode(template, forKey: .template)
            try container.encode(state, forKey: .state)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(lastError, forKey: .lastError)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(completedAt, forKey: .completedAt)
        }
    }

    /// The jobs of a Shopify order, oldest first.
    func jobs(shopifyOrderId: String) async throws -> [Record] {
        try await pool.query(
            """
            SELECT id, channel, recipient, template, state, attempts, last_error, created_at, completed_at
            FROM jobs WHERE shopify_order_id = \(shopifyOrderId) ORDER BY id
            """
        ).map { row in
            Record(
                id: try row.decode("id"),
                channel: try row.decode("channel"),
                recipient: try row.decode("recipient"),
                template: try row.decode("template"),
                state: try row.decode("state"),
                attempts: try row.decode("attempts"),
                lastError: try row.decode("last_error"),
                createdAt: try row.decode("created_at"),
                completedAt: try row.decode("completed_at")
            )
        }
    }

    func exists(id: Int64) async throws -> Bool {
        try await !pool.query("SELECT 1 FROM jobs WHERE id = \(id)").isEmpty
    }
}
