import Foundation
import Hummingbird
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The clock an emulated server shows in its `Date` header, which a test can set off from the real one (a
/// server whose clock is wrong, or rather a client machine whose clock is: `sluice doctor` compares the two).
///
/// Only the header moves: tokens, events and rows keep following the emulator's own configuration.
package final class ServerClock: Sendable {
    private let offset = Mutex<Duration>(.zero)

    /// A clock that agrees with this machine's.
    package init() {}

    /// From now on, `Date` headers say the time `offset` from now (negative: behind); `.zero` restores the truth.
    package func setOffset(_ offset: Duration) {
        self.offset.withLock { $0 = offset }
    }

    /// The `Date` header to send instead of the server's own, or nil while the clock agrees with this machine's.
    func shiftedDateHeader(now: Date = Date()) -> String? {
        let offset = self.offset.withLock { $0 }
        guard offset != .zero else { return nil }
        let seconds = Double(offset.components.seconds) + Double(offset.components.attoseconds) / 1e18
        return Self.imfFixdate(now.addingTimeInterval(seconds))
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7).
    static func imfFixdate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

/// Rewrites the `Date` header of every response head on its way out.
///
/// Hummingbird writes `Date` itself after the route has answered, so a route cannot set it; this handler sits
/// between the HTTP codec and Hummingbird's handler and replaces the value while the ``ServerClock`` is off.
final class ServerDateHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let clock: ServerClock

    init(_ clock: ServerClock) { self.clock = clock }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        guard case .head(var head) = part, let date = clock.shiftedDateHeader() else {
            context.write(data, promise: promise)
            return
        }
        head.headerFields[.date] = date
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }
}
