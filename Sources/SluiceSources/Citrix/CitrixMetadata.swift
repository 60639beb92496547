package import SluiceCore

/// What Sluice needs from the Monitor service's `$metadata` (CSDL XML): each entity type's key and property
/// types, and which entity type each entity set holds.
///
/// A small hand scanner rather than an XML library: CSDL is machine-written, and only the start tags of
/// `EntityType`, `PropertyRef`, `Property` and `EntitySet` matter. Namespaces and everything else are skipped.
package struct CitrixMetadata: Sendable, Equatable {
    /// One `<EntityType>`.
    package struct EntityType: Sendable, Equatable {
        package var key: [String] = []
        /// Property name → warehouse type, in document order.
        package var properties: [(name: String, type: ColumnType)] = []

        package static func == (a: EntityType, b: EntityType) -> Bool {
            a.key == b.key && a.properties.map(\.name) == b.properties.map(\.name)
                && a.properties.map(\.type) == b.properties.map(\.type)
        }
    }

    /// Entity types by unqualified name (`Session`).
    package var entityTypes: [String: EntityType] = [:]
    /// Entity set name → unqualified entity type name (`Sessions` → `Session`).
    package var entitySets: [String: String] = [:]

    package init() {}

    /// The entity type of an entity set: through `<EntitySet>`, else a type of the same name or its singular.
    package func entityType(forSet set: String) -> EntityType? {
        if let typeName = entitySets[set], let type = entityTypes[typeName] { return type }
        if let type = entityTypes[set] { return type }
        if set.hasSuffix("s"), let type = entityTypes[String(set.dropLast())] { return type }
        return nil
    }

    /// Maps an OData primitive type to a warehouse type (enums arrive as integers and stay integers).
    package static func columnType(edm: String) -> ColumnType {
        switch edm {
        case "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte": return .bigint
        case "Edm.Double", "Edm.Decimal", "Edm.Single": return .double
        case "Edm.Boolean": return .boolean
        case "Edm.DateTimeOffset": return .timestamp
        default: return .text
        }
    }

    /// Parses CSDL text; unknown elements are ignored, so a richer document than expected still parses.
    package static func parse(_ xml: String) -> CitrixMetadata {
        var result = CitrixMetadata()
        var current: (name: String, type: EntityType)?
        func close() {
            if let current { result.entityTypes[current.name] = current.type }
            current = nil
        }
        for tag in Tags(xml) {
            switch tag.name {
            case "EntityType":
                if tag.closing { close(); continue }
                close()
                if let name = tag.attributes["Name"] { current = (name, EntityType()) }
                if tag.selfClosing { close() }
            case "PropertyRef" where !tag.closing:
                if let name = tag.attributes["Name"] { current?.type.key.append(name) }
            case "Property" where !tag.closing:
                if let name = tag.attributes["Name"] {
                    current?.type.properties.append((name, columnType(edm: tag.attributes["Type"] ?? "")))
                }
            case "EntitySet" where !tag.closing:
                if let name = tag.attributes["Name"], let type = tag.attributes["EntityType"] {
                    result.entitySets[name] = String(type.split(separator: ".").last ?? Substring(type))
                }
            default:
                continue
            }
        }
        close()
        return result
    }
}

/// Iterates the start and end tags of an XML text, with namespace prefixes removed from element names.
struct Tags: Sequence, IteratorProtocol {
    struct Tag {
        var name: String
        var attributes: [String: String]
        var closing: Bool
        var selfClosing: Bool
    }

    private let bytes: [UInt8]
    private var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    mutating func next() -> Tag? {
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "<") else { index += 1; continue }
            let start = index + 1
            guard let end = bytes[start...].firstIndex(of: UInt8(ascii: ">")) else { index = bytes.count; return nil }
            index = end + 1
            let inner = bytes[start..<end]
            guard let first = inner.first, first != UInt8(ascii: "?"), first != UInt8(ascii: "!") else { continue }
            return Self.tag(Array(inner))
        }
        return nil
    }

    private static func tag(_ inner: [UInt8]) -> Tag {
        var b = inner[...]
        let closing = b.first == UInt8(ascii: "/")
        if closing { b = b.dropFirst() }
        let selfClosing = b.last == UInt8(ascii: "/")
        if selfClosing { b = b.dropLast() }
        let isSpace: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
        let nameEnd = b.firstIndex(where: isSpace) ?? b.endIndex
        var name = String(decoding: b[b.startIndex..<nameEnd], as: UTF8.self)
        if let colon = name.lastIndex(of: ":") { name = String(name[name.index(after: colon)...]) }
        var attributes: [String: String] = [:]
        var i = nameEnd
        while i < b.endIndex {
            while i < b.endIndex, isSpace(b[i]) { i += 1 }
            guard let eq = b[i...].firstIndex(of: UInt8(ascii: "=")) else { break }
            let key = String(decoding: b[i..<eq], as: UTF8.self).trimmingWhitespace()
            var j = eq + 1
            while j < b.endIndex, isSpace(b[j]) { j += 1 }
            guard j < b.endIndex, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") else { break }
            let quote = b[j]
            guard let close = b[(j + 1)...].firstIndex(of: quote) else { break }
            attributes[key] = unescape(String(decoding: b[(j + 1)..<close], as: UTF8.self))
            i = close + 1
        }
        return Tag(name: name, attributes: attributes, closing: closing, selfClosing: selfClosing)
    }

    private static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingAll("&quot;", with: "\"").replacingAll("&apos;", with: "'").replacingAll("&lt;", with: "<")
            .replacingAll("&gt;", with: ">").replacingAll("&amp;", with: "&")
    }
}
