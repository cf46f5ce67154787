/// Why a stock adjustment was refused; nothing of it was applied.
enum StockAdjustmentError: Error, Sendable, Equatable {
    /// The key was used before for other changes.
    case keyReused(String)
    /// A level would go below zero.
    case wouldGoNegative(field: String, level: StockLevelView, delta: Int)
    /// A change names a product, vendor or hub that does not exist.
    case unknownReference(field: String, problem: String)
}
