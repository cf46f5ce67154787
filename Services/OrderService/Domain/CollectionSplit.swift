import Foundation

/// What each seller order's courier collects on delivery: the customer's remaining amount
/// shared in proportion to the value each seller order ships, in whole minor units, the last
/// share taking the rounding so the shares add up to exactly the remaining amount.
enum CollectionSplit {
    static func shares(of remaining: Decimal, byValue values: [Decimal], minorUnits: Int = 2) -> [Decimal] {
        guard !values.isEmpty else { return [] }
        guard remaining > 0 else { return values.map { _ in 0 } }
        let total = values.reduce(0, +)
        var shares: [Decimal] = []
        var given = Decimal(0)
        for (index, value) in values.enumerated() {
            if index == values.count - 1 {
                shares.append(remaining - given)
                break
            }
            // With nothing of value to weigh by, split evenly.
            var exact = total > 0 ? remaining * value / total : remaining / Decimal(values.count)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &exact, minorUnits, .down)
            shares.append(rounded)
            given += rounded
        }
        return shares
    }
}
