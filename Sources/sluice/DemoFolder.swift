import Foundation
import SluiceCore

/// The folder `sluice demo` works in: `jobs/` (the demo job files with the emulators' addresses filled in),
/// `secrets/` (one file per secret, mode 0600, referenced by the job files as `{ file: … }`) and, with
/// `--serve`, `warehouse.db`.
struct DemoFolder {
    /// As the user gave it (printed in the commands to try).
    let path: String
    /// Absolute, for the secret references.
    let absolutePath: String

    init(_ path: String) {
        self.path = path
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        absolutePath = URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    var jobs: String { path + "/jobs" }
    var secrets: String { absolutePath + "/secrets" }

    /// Writes every part's secrets and job files (with `urls`, every emulator's base URL in part order).
    func write(_ parts: [DemoPart], urls: [String]) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: jobs, withIntermediateDirectories: true)
        try files.createDirectory(atPath: secrets, withIntermediateDirectories: true,
                                  attributes: [.posixPermissions: 0o700])
        var offset = 0
        for part in parts {
            let mine = Array(urls[offset..<(offset + part.emulators.count)])
            offset += part.emulators.count
            part.onListening(mine)
            for (name, value) in part.secrets {
                let file = secrets + "/" + name
                try? files.removeItem(atPath: file)
                guard files.createFile(atPath: file, contents: Data(value.utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw DemoFolderError(message: "cannot write the secret file \(file)")
                }
            }
            for file in part.filledJobFiles(urls: mine, secretsFolder: secrets + "/") {
                try file.text.write(toFile: jobs + "/" + file.name, atomically: true, encoding: .utf8)
            }
        }
    }
}

/// The demo folder could not be written.
struct DemoFolderError: Error, CustomStringConvertible {
    var message: String
    var description: String { "sluice demo: \(message)" }
}
