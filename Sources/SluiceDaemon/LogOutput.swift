#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import SluiceCore
import Synchronization

/// The log line format: `text` (logfmt-style, for terminals and journald) or `json` (one object per line).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A log handler that writes one redacted line per message to standard error.
///
/// Every message and metadata value passes through the ``Redactor`` first, so a secret that reaches a log call by
/// mistake is still not written.
public struct RedactingLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let format: LogFormat
    let redactor: Redactor

    public init(label: String, level: Logger.Level, format: LogFormat, redactor: Redactor = .shared) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let time = Timestamps.isoUTC(epochSecond: Int64(WallClock.epochNow()))
        let message = redactor.redact(event.message.description)
        var line: String
        switch format {
        case .text:
            // Control characters are escaped: a newline in server text must not forge a second line.
            line = "\(time) \(event.level) \(ControlCharacters.escaped(message))"
            for key in merged.keys.sorted() {
                line += " \(key)=\(Self.quoteIfNeeded(ControlCharacters.escaped(redactor.redact("\(merged[key]!)"))))"
            }
        case .json:
            var object: [(String, JSONValue)] = [("time", .string(time)), ("level", .string("\(event.level)")),
                                                 ("message", .string(message))]
            for key in merged.keys.sorted() { object.append((key, .string(redactor.redact("\(merged[key]!)")))) }
            line = JSONValue.object(object).jsonText
        }
        StandardError.write(line + "\n")
    }

    static func quoteIfNeeded(_ s: String) -> String {
        guard s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return s }
        return JSONValue.string(s).jsonText
    }
}

/// Serialised writes to standard error (progress display and log lines share it).
public enum StandardError {
    private static let lock = Mutex(())

    public static func write(_ text: String) {
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
    public static var isTerminal: Bool { isatty(2) == 1 }
}
