/// Every TCP packet to and from a port on loopback dropped while it is in effect: a server
/// that neither answers nor refuses, as behind a network partition. Its iptables rules carry
/// a comment of their own, so that cleanup removes these and nothing else; `start` first
/// removes any that a test run which died left behind.
public struct PacketDrop: Sendable {
    static let tag = "marketplace-test"
    let rules: [[String]]

    public static func start(port: Int) async throws -> PacketDrop {
        try await removeLeftovers()
        let drop = PacketDrop(rules: [["-p", "tcp", "--dport", "\(port)"], ["-p", "tcp", "--sport", "\(port)"]])
        do {
            for rule in drop.rules { try await drop.iptables("-I", rule) }
        } catch {
            try? await removeLeftovers()
            throw error
        }
        return drop
    }

    public func stop() async throws {
        try await Self.removeLeftovers()
    }

    private func iptables(_ action: String, _ rule: [String]) async throws {
        try await Subprocess.run("iptables", [action, "INPUT", "-i", "lo"] + rule + ["-m", "comment", "--comment", Self.tag, "-j", "DROP"])
    }

    /// Deletes every rule of ours (`iptables -S` prints them as they were added).
    static func removeLeftovers() async throws {
        let rules = try await Subprocess.run("iptables", ["-S", "INPUT"])
        for line in rules.split(separator: "\n") where line.hasPrefix("-A ") && line.contains(tag) {
            let words = line.split(separator: " ").dropFirst().map { String($0).replacingOccurrences(of: "\"", with: "") }
            try await Subprocess.run("iptables", ["-D"] + words)
        }
    }
}
