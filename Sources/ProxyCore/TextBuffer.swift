/// Text built as bytes in memory of its own: each piece copied whole (one memcpy) into one
/// growing buffer. On this toolchain a `String +=` costs about a thousand instructions a piece and
/// an Array's `append(contentsOf:)` a few hundred however short the piece (callgrind); the access
/// line and a `/metrics` scrape are made of hundreds of pieces. A class: it owns its memory and
/// frees it once.
package final class TextBuffer {
    private struct Storage {
        var base: UnsafeMutableRawPointer
        var capacity: Int
        var count = 0
    }

    /// Behind a `let` pointer: each use of a class's `var` pays a dynamic exclusivity check
    /// (swift_beginAccess, about 60 instructions), more than appending a byte costs.
    private let storage: UnsafeMutablePointer<Storage>

    package var count: Int { storage.pointee.count }

    package init(capacity: Int = 256) {
        let capacity = max(capacity, 16)
        storage = .allocate(capacity: 1)
        storage.initialize(to: Storage(base: .allocate(byteCount: capacity, alignment: 1), capacity: capacity))
    }

    deinit {
        storage.pointee.base.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    package static func += (buffer: TextBuffer, text: String) {
        buffer.append(text)
    }

    package func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    package func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    package func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        let target = storage.pointee.base + storage.pointee.count
        let count = bytes.count
        // Most pieces of a line are short (a key, a status, a timestamp): copied as two words
        // that may overlap, without a call to memmove, which was a tenth of the access line's cost.
        if count > 16 && count <= 32 {
            target.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 16, as: SIMD16<UInt8>.self),
                              toByteOffset: count - 16, as: SIMD16<UInt8>.self)
        } else if count >= 8 && count <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self),
                              toByteOffset: count - 8, as: UInt64.self)
        } else if count >= 4 && count < 8 {
            target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self),
                              toByteOffset: count - 4, as: UInt32.self)
        } else {
            target.copyMemory(from: source, byteCount: count)
        }
        storage.pointee.count += count
    }

    package func append(byte: UInt8) {
        reserve(1)
        storage.pointee.base.storeBytes(of: byte, toByteOffset: storage.pointee.count, as: UInt8.self)
        storage.pointee.count += 1
    }

    /// Decimal digits, without a String in between.
    package func appendDigits(_ number: Int) {
        // Most numbers a line holds (statuses, milliseconds, small sizes) have three digits or
        // fewer: written here; the rest in a function of their own, whose scratch space on the
        // stack would cost this one a stack guard on every call.
        guard number >= 0 && number < 1000 else { return appendManyDigits(number) }
        reserve(3)
        let at = storage.pointee.base + storage.pointee.count
        let zero = UInt8(ascii: "0")
        var written = 0
        if number >= 100 { at.storeBytes(of: zero + UInt8(number / 100), as: UInt8.self); written += 1 }
        if number >= 10 { at.storeBytes(of: zero + UInt8(number / 10 % 10), toByteOffset: written, as: UInt8.self); written += 1 }
        at.storeBytes(of: zero + UInt8(number % 10), toByteOffset: written, as: UInt8.self)
        storage.pointee.count += written + 1
    }

    @inline(never)
    private func appendManyDigits(_ number: Int) {
        if number < 0 { append(byte: UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        // On the stack: an Int has at most 20 digits.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { scratch in
            var index = scratch.count
            repeat {
                index -= 1
                scratch[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }

    /// Empty again, its memory kept for the next use.
    package func clear() {
        storage.pointee.count = 0
    }

    package func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage.pointee.base, count: storage.pointee.count))
    }

    package var bytes: [UInt8] { withBytes { Array($0) } }
    package var text: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    @inline(__always)
    private func reserve(_ more: Int) {
        if storage.pointee.count + more > storage.pointee.capacity { grow(more) }
    }

    private func grow(_ more: Int) {
        let needed = storage.pointee.count + more
        var grown = storage.pointee.capacity * 2
        while grown < needed { grown *= 2 }
        let new = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 1)
        new.copyMemory(from: storage.pointee.base, byteCount: storage.pointee.count)
        storage.pointee.base.deallocate()
        storage.pointee.base = new
        storage.pointee.capacity = grown
    }
}
