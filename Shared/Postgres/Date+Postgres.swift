import Foundation

/// `timestamptz` values. Connections run with `TimeZone=UTC` and ISO `DateStyle`, so the
/// server writes `YYYY-MM-DD HH:MM:SS[.ffffff]+00`.
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? {
        let micros = (timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((micros / 1_000_000).rounded(.down))
        let fraction = Int64(micros) - seconds * 1_000_000
        let (days, secondOfDay) = seconds.quotientAndRemainderFloored(by: 86_400)
        let (y, m, d) = civilFromDays(days)
        return String(
            format: "%04lld-%02lld-%02lld %02lld:%02lld:%02lld.%06lld+00",
            y,
            m,
            d,
            secondOfDay / 3600,
            secondOfDay / 60 % 60,
            secondOfDay % 60,
            fraction
        )
    }

    public init(postgresText text: String) throws {
        guard let date = Self.parsePostgres(Array(text.utf8)) else { throw decodingError(text, Date.self) }
        self = date
    }

    private static func parsePostgres(_ b: [UInt8]) -> Date? {
        var i = 0
        func number(_ digits: Int) -> Int64? {
            guard i + digits <= b.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
                i += 1
            }
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2) else { return nil }
        var seconds = daysFromCivil(y, mo, d) * 86_400
        var micros: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "T") {
            i += 1
            guard let h = number(2), expect(":"), let mi = number(2), expect(":"), let s = number(2) else { return nil }
            seconds += h * 3600 + mi * 60 + s
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var scale: Int64 = 100_000
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    micros += Int64(b[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
            }
            if i < b.count, b[i] == UInt8(ascii: "Z") {
                i += 1
            } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
                i += 1
                guard let oh = number(2) else { return nil }
                var offset = oh * 3600
                if expect(":") {
                    guard let om = number(2) else { return nil }
                    offset += om * 60
                }
                if expect(":") {
                    guard let os = number(2) else { return nil }
                    offset += os
                }
                seconds -= sign * offset
            }
        }
        guard i == b.count else { return nil }
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}

// Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar.
private func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

private func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
}

extension Int64 {
    fileprivate func quotientAndRemainderFloored(by divisor: Int64) -> (Int64, Int64) {
        var (q, r) = quotientAndRemainder(dividingBy: divisor)
        if r < 0 {
            q -= 1
            r += divisor
        }
        return (q, r)
    }
}
