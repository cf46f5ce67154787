import CRabbitMQ
import Foundation

/// Owns the C memory behind the `amqp_bytes_t` and tables of one library call, and frees it
/// when the call is over.
final class AMQPArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { for allocation in allocations { free(allocation) } }

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ data: some Collection<UInt8>) -> amqp_bytes_t {
        let count = data.count
        let memory = malloc(max(count, 1))!
        allocations.append(memory)
        let buffer = memory.bindMemory(to: UInt8.self, capacity: max(count, 1))
        _ = UnsafeMutableBufferPointer(start: buffer, count: count).initialize(from: data)
        return amqp_bytes_t(len: count, bytes: memory)
    }

    func table(_ values: [String: AMQPHeaderValue]) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let size = MemoryLayout<amqp_table_entry_t>.stride * values.count
        let memory = malloc(size)!
        allocations.append(memory)
        let entries = memory.bindMemory(to: amqp_table_entry_t.self, capacity: values.count)
        for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = bytes(text)
            case .int(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = number
            case .bool(let flag):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = flag ? 1 : 0
            }
            (entries + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field))
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }
}

extension amqp_bytes_t {
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }

    var string: String { String(decoding: data, as: UTF8.self) }
}

extension amqp_table_t {
    /// The top-level string, integer and boolean entries; nested tables and arrays are skipped.
    var headers: [String: AMQPHeaderValue] {
        var result = [String: AMQPHeaderValue]()
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            let value = entry.value
            switch UInt32(value.kind) {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue:
                result[entry.key.string] = .string(value.value.bytes.string)
            case AMQP_FIELD_KIND_I64.rawValue: result[entry.key.string] = .int(value.value.i64)
            case AMQP_FIELD_KIND_U64.rawValue: result[entry.key.string] = .int(Int64(truncatingIfNeeded: value.value.u64))
            case AMQP_FIELD_KIND_I32.rawValue: result[entry.key.string] = .int(Int64(value.value.i32))
            case AMQP_FIELD_KIND_U32.rawValue: result[entry.key.string] = .int(Int64(value.value.u32))
            case AMQP_FIELD_KIND_I16.rawValue: result[entry.key.string] = .int(Int64(value.value.i16))
            case AMQP_FIELD_KIND_U16.rawValue: result[entry.key.string] = .int(Int64(value.value.u16))
            case AMQP_FIELD_KIND_I8.rawValue: result[entry.key.string] = .int(Int64(value.value.i8))
            case AMQP_FIELD_KIND_U8.rawValue: result[entry.key.string] = .int(Int64(value.value.u8))
            case AMQP_FIELD_KIND_BOOLEAN.rawValue: result[entry.key.string] = .bool(value.value.boolean != 0)
            default: continue
            }
        }
        return result
    }
}

extension Duration {
    var timeval: timeval {
        let (seconds, attoseconds) = components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
