/// The emulator's `$metadata`: CSDL XML in the shape the Monitor service publishes (namespace
/// `Citrix.Monitor.Model`, singular entity types, plural entity sets), built from ``CitrixCatalog``.
enum CitrixMetadataDocument {
    static let text: String = {
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        xml += "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n"
        xml += "  <edmx:DataServices>\n"
        xml += "    <Schema Namespace=\"Citrix.Monitor.Model\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"
        for shape in CitrixCatalog.all {
            xml += "      <EntityType Name=\"\(shape.typeName)\">\n        <Key>\n"
            for key in shape.key { xml += "          <PropertyRef Name=\"\(key)\" />\n" }
            xml += "        </Key>\n"
            for property in shape.properties {
                let nullable = shape.key.contains(property.name) ? " Nullable=\"false\"" : ""
                xml += "        <Property Name=\"\(property.name)\" Type=\"\(property.edm)\"\(nullable) />\n"
            }
            xml += "      </EntityType>\n"
        }
        xml += "      <EnumType Name=\"ConnectionState\" UnderlyingType=\"Edm.Int32\">\n"
        xml += "        <Member Name=\"Active\" Value=\"5\" />\n      </EnumType>\n"
        xml += "      <EntityContainer Name=\"MonitorContainer\">\n"
        for shape in CitrixCatalog.all {
            xml += "        <EntitySet Name=\"\(shape.name)\" EntityType=\"Citrix.Monitor.Model.\(shape.typeName)\" />\n"
        }
        xml += "      </EntityContainer>\n    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n"
        return xml
    }()
}
