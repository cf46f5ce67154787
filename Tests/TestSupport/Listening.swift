import Foundation
import Glibc

/// Waits until something accepts TCP connections on 127.0.0.1:`port`. Throws at once if
/// `server` (the process meant to listen there, when the test started it) exits first, and
/// after `timeout` if nothing listens.
public func waitUntilListening(port: Int, server: Subprocess? = nil, timeout: Duration = patience) async throws {
    let listening = try await eventually(timeout: timeout) {
        if let server, let termination = server.termination {
            throw TestFailure("\(server.name) ended with \(termination) before it listened on port \(port)")
        }
        return acceptsConnections(port: port)
    }
    guard listening else { throw TestFailure("nothing listens on port \(port) after \(timeout)") }
}

/// Whether a TCP connection to 127.0.0.1:`port` is accepted now (refused at once if not).
func acceptsConnections(port: Int) -> Bool {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { Glibc.close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
    return withUnsafePointer(to: address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
