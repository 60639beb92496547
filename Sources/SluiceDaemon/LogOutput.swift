#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
package import Musl
#elseif canImport(Darwin)
package import Darwin
#endif
import Foundation
package import Logging
package import SluiceCore
import Synchronization
import CDispatch

/// The log line format: `text` (logfmt-style, for terminals and journald) or `json` (one object per line).
package enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A log handler that writes one redacted line per message to standard error.
///
/// Every message and metadata value passes through the ``Redactor`` first, so a secret that reaches a log call by
/// mistake is still not written.
package struct RedactingLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    let label: String
    let format: LogFormat
    let redactor: Redactor

    package init(label: String, level: Logger.Level, format: LogFormat, redactor: Redactor = .shared) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let message = redactor.redact(event.message.description)
        var line: String
        switch format {
        case .text:
            // Under journald the journal keeps the time: the line starts with its priority instead.
            line = Self.journalStream ? Self.priority(event.level) : Self.now() + " "
            // Control characters are escaped: a newline in server text must not forge a second line.
            line += "\(event.level) \(ControlCharacters.escaped(message))"
            for key in merged.keys.sorted() {
                line += " \(key)=\(Self.quoteIfNeeded(ControlCharacters.escaped(redactor.redact("\(merged[key]!)"))))"
            }
        case .json:
            var object: [(String, JSONValue)] = [("time", .string(Self.now())), ("level", .string("\(event.level)")),
                                                 ("message", .string(message))]
            for key in merged.keys.sorted() { object.append((key, jsonValue(merged[key]!))) }
            line = (Self.journalStream ? Self.priority(event.level) : "") + JSONValue.object(object).jsonText
        }
        TerminalDisplay.shared.writeLine(line)
    }

    /// A metadata value as JSON: numbers and booleans given as such (`.stringConvertible(42)`) stay numbers;
    /// everything else is redacted text.
    private func jsonValue(_ value: Logger.Metadata.Value) -> JSONValue {
        if case .stringConvertible(let convertible) = value {
            switch convertible {
            case let n as Int: return .integer(Int64(n))
            case let n as Int64: return .integer(n)
            case let d as Double where d.isFinite: return .double(d)
            case let b as Bool: return .bool(b)
            default: break
            }
        }
        return .string(redactor.redact("\(value)"))
    }

    static func now() -> String { Timestamps.isoUTC(epochSecond: Int64(WallClock.epochNow())) }

    /// Whether standard error is the journal (systemd sets `JOURNAL_STREAM` to its device and inode).
    package static let journalStream: Bool = {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        var info = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]), fstat(2, &info) == 0 else {
            return false
        }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }()

    /// The syslog priority prefix journald reads (sd-daemon(3)): `<3>` error … `<7>` debug.
    static func priority(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: return "<7>"
        case .info: return "<6>"
        case .notice: return "<5>"
        case .warning: return "<4>"
        case .error: return "<3>"
        case .critical: return "<2>"
        }
    }

    static func quoteIfNeeded(_ s: String) -> String {
        guard s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return s }
        return JSONValue.string(s).jsonText
    }
}

/// Serialised writes to standard error (progress display and log lines share it).
package enum StandardError {
    private static let lock = Mutex(())

    package static func write(_ text: String) {
        lock.withLock { _ in
            var text = text
            text.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
    }

    /// True when standard error is a terminal (progress is drawn in place then).
    package static var isTerminal: Bool { isatty(2) == 1 }
}
