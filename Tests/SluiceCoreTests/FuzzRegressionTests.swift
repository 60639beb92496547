import Foundation
import SluiceFuzzTargets
import Testing

/// Every input under `Fuzz/corpus/<target>/` and `Fuzz/regressions/<target>/` goes through its fuzz target again:
/// crashes the fuzzer once found stay fixed.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    @Test(arguments: FuzzTargets.Target.allCases)
    func savedInputsDoNotCrash(_ target: FuzzTargets.Target) throws {
        var count = 0
        for folder in ["corpus", "regressions"] {
            let dir = Self.fuzzRoot.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") {
                let data = try Data(contentsOf: dir.appendingPathComponent(name))
                FuzzTargets.run(target, Array(data))
                count += 1
            }
        }
        #expect(count > 0, "no saved inputs for \(target.rawValue)")
    }
}
