import SluiceCore
import SluiceSources
import Testing

/// What leaves a source: dropped fields gone, pseudonymised fields hashed, the tenant on every row.
@Suite struct RowShaperTests {
    let hasher = Pseudonymiser(key: "test-key")

    func batch(packed: Bool = false) -> Batch {
        let columns = [Column("Id", .text), Column("UserId", .text), Column("ClientIP", .text), Column("Count", .bigint),
                       Column("SharingInformation", .text)]
        let rows: [[Value]] = [
            [.text("e1"), .text("Alice@Contoso.com"), .text("10.0.0.1"), .integer(3),
             .text(#"[{"RecipientEmail":"bob@contoso.com","ResharePermission":"Read"}]"#)],
            [.text("e2"), .null, .text("10.0.0.2"), .integer(4), .text("not json bob@contoso.com")],
        ]
        let target = TableTarget(table: "events", mode: .upsert, primaryKey: ["Id"])
        guard packed else { return Batch(target: target, columns: columns, rows: rows, origin: "page 1") }
        var cells = PackedRows(columnCount: columns.count)
        for row in rows {
            for value in row { cells.append(value) }
            cells.endRow()
        }
        return Batch(target: target, columns: columns, rows: [], origin: "page 1", packed: cells)
    }

    var shaper: RowShaper {
        RowShaper(pseudonymise: ["UserId", "SharingInformation.RecipientEmail"], drop: ["ClientIP"],
                  pseudonymiser: hasher, tenant: nil)
    }

    @Test func droppedFieldsLeaveNoColumnAndPseudonymisedOnesAreHashed() {
        let out = shaper.shape(batch())
        #expect(out.columns.map(\.sourceName) == ["Id", "UserId", "Count", "SharingInformation"])
        #expect(out.rows[0][1] == .text(hasher.pseudonym("alice@contoso.com")))
        #expect(out.rows[1][1] == .null)
        #expect(out.rows[0][0] == .text("e1") && out.rows[0][2] == .integer(3))
        #expect(out.target.pseudonyms == hasher.fingerprint(fields: ["UserId", "SharingInformation.RecipientEmail"]))
    }

    @Test func membersInsideJSONAreHashedAndTextThatIsNotJSONIsHashedWhole() {
        let out = shaper.shape(batch())
        let bob = hasher.pseudonym("bob@contoso.com")
        #expect(out.rows[0][3] == .text(#"[{"RecipientEmail":"\#(bob)","ResharePermission":"Read"}]"#))
        #expect(out.rows[1][3] == .text(hasher.pseudonym("not json bob@contoso.com")))
        let all = out.rows.flatMap { $0 }.map { "\($0)" }.joined()
        #expect(!all.contains("contoso.com") && !all.contains("10.0.0."))
    }

    @Test func aPseudonymisedColumnBecomesText() {
        let numbers = RowShaper(pseudonymise: ["Count"], drop: [], pseudonymiser: hasher, tenant: nil).shape(batch())
        #expect(numbers.columns[3] == Column("Count", .text))
        #expect(numbers.rows[0][3] == .text(hasher.pseudonym("3")))
    }

    @Test func packedRowsAreShapedLikePlainOnes() {
        let plain = shaper.shape(batch())
        let packed = shaper.shape(batch(packed: true))
        #expect(packed.packed?.rows == plain.rows)
        #expect(packed.rows.isEmpty && packed.columns == plain.columns)
    }

    @Test func aTenantLeadsEveryRowAndThePrimaryKey() {
        let out = RowShaper(pseudonymise: [], drop: [], pseudonymiser: nil, tenant: "contoso").shape(batch())
        #expect(out.columns.first == Column(TenantColumn.sourceName, .text))
        #expect(out.rows.allSatisfy { $0.first == .text("contoso") && $0.count == 6 })
        #expect(out.target.primaryKey == ["tenant", "Id"])
        #expect(out.target.pseudonyms == .clear)
    }

    @Test func aBatchWithoutColumnsOnlyCarriesItsCheckpoint() {
        let empty = Batch(target: TableTarget(table: "events", mode: .upsert, primaryKey: ["Id"]), columns: [], rows: [],
                          checkpoint: ["k": "v"], origin: "end")
        let out = RowShaper(pseudonymise: ["UserId"], drop: [], pseudonymiser: hasher, tenant: "contoso").shape(empty)
        #expect(out.columns.isEmpty && out.rows.isEmpty && out.checkpoint == ["k": "v"])
        #expect(out.target.primaryKey == ["tenant", "Id"])
    }

    @Test func withoutPseudonymiseTheKeyIsIgnoredAndRowsStayAsTheyAre() {
        let out = RowShaper(pseudonymise: [], drop: [], pseudonymiser: hasher, tenant: nil).shape(batch())
        #expect(out.rows == batch().rows && out.target.pseudonyms == .clear)
    }
}
