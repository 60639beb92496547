import SluiceCore
@testable import SluiceSources
import Testing

/// The hand-written CSDL scanner: keys, property types and entity-set mapping.
@Suite struct CitrixMetadataTests {
    static let csdl = """
    <?xml version="1.0" encoding="utf-8"?>
    <edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
      <edmx:DataServices>
        <Schema Namespace="Citrix.Monitor.Model" xmlns="http://docs.oasis-open.org/odata/ns/edm">
          <EntityType Name="Session">
            <Key><PropertyRef Name="SessionKey"/></Key>
            <Property Name="SessionKey" Type="Edm.Guid" Nullable="false"/>
            <Property Name="ModifiedDate" Type="Edm.DateTimeOffset"/>
            <Property Name="ConnectionState" Type="Edm.Int32"/>
            <Property Name="LogOnDuration" Type="Edm.Int64"/>
            <Property Name = 'IsAnonymous' Type = 'Edm.Boolean' />
            <Property Name="Ratio" Type="Edm.Decimal" Precision="18" Scale="4"/>
            <Property Name="Small" Type="Edm.Byte"/>
            <Property Name="Note" Type="Edm.String"/>
            <Property Name="Shape" Type="Citrix.Monitor.Model.Something"/>
            <NavigationProperty Name="User" Type="Citrix.Monitor.Model.User"/>
          </EntityType>
          <ComplexType Name="Loose"><Property Name="Ignored" Type="Edm.Int32"/></ComplexType>
          <EntityType Name="Summary">
            <Key>
              <PropertyRef Name="MachineId" />
              <PropertyRef Name="SummaryDate" />
            </Key>
            <Property Name="MachineId" Type="Edm.Guid" />
            <Property Name="SummaryDate" Type="Edm.DateTimeOffset" />
            <Property Name="Cpu" Type="Edm.Double" />
          </EntityType>
          <EntityContainer Name="C">
            <EntitySet Name="Sessions" EntityType="Citrix.Monitor.Model.Session">
              <NavigationPropertyBinding Path="User" Target="Users"/>
            </EntitySet>
            <EntitySet Name="ResourceUtilizationSummary" EntityType="Citrix.Monitor.Model.Summary"/>
          </EntityContainer>
        </Schema>
      </edmx:DataServices>
    </edmx:Edmx>
    """

    @Test func entityTypesGiveKeysAndWarehouseTypes() throws {
        let metadata = CitrixMetadata.parse(Self.csdl)
        let session = try #require(metadata.entityType(forSet: "Sessions"))
        #expect(session.key == ["SessionKey"])
        let types = Dictionary(uniqueKeysWithValues: session.properties.map { ($0.name, $0.type) })
        #expect(types == ["SessionKey": .text, "ModifiedDate": .timestamp, "ConnectionState": .bigint,
                          "LogOnDuration": .bigint, "IsAnonymous": .boolean, "Ratio": .double, "Small": .bigint,
                          "Note": .text, "Shape": .text])
        #expect(metadata.entityTypes["Loose"] == nil)
    }

    @Test func entitySetsMapToTheirTypesIncludingCompositeKeys() throws {
        let metadata = CitrixMetadata.parse(Self.csdl)
        let summary = try #require(metadata.entityType(forSet: "ResourceUtilizationSummary"))
        #expect(summary.key == ["MachineId", "SummaryDate"])
        #expect(summary.properties.map(\.type) == [.text, .timestamp, .double])
        #expect(metadata.entityType(forSet: "Nothing") == nil)
    }

    @Test func aSetWithoutContainerEntryFallsBackToTheSingularTypeName() {
        let xml = #"<Schema><EntityType Name="User"><Key><PropertyRef Name="Id"/></Key><Property Name="Id" Type="Edm.Int32"/></EntityType></Schema>"#
        #expect(CitrixMetadata.parse(xml).entityType(forSet: "Users")?.key == ["Id"])
    }

    @Test func edmTypesMapAsTheODBCDriverNeeds() {
        #expect(CitrixMetadata.columnType(edm: "Edm.Int16") == .bigint)
        #expect(CitrixMetadata.columnType(edm: "Edm.Single") == .double)
        #expect(CitrixMetadata.columnType(edm: "Edm.DateTimeOffset") == .timestamp)
        #expect(CitrixMetadata.columnType(edm: "Edm.Guid") == .text)
        #expect(CitrixMetadata.columnType(edm: "Edm.Duration") == .text)
    }
}
