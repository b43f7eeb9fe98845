public import CareKit
internal import Foundation

/// The shipped drug table (`Data/drug-table.json`): for each common care home medicine its class,
/// BNF chapter, anticholinergic burden (ACB) score, STOPPFall class and flags, each with its source.
///
/// Matching what staff type is deliberately literal: the typed name, lower-cased with punctuation
/// turned to spaces, must equal a name or synonym, or start with one followed by more words
/// ("Amlodipine 5 mg tablets"). There is no fuzzy matching: a misspelt or unknown medicine is
/// *unclassified*, and that itself raises a prompt, rather than being guessed.
public struct DrugTable: Sendable, Decodable {
    /// Table version, shown on the "Rules in use" page (`2026.11.1`).
    public let version: String
    /// When this version was written.
    public let published: String
    /// A note on the table's status (who must check it).
    public let status: String
    /// Full citations of the sources, by short name (`ACB`, `STOPPFall`…).
    public let sources: [String: String]
    /// The medicines.
    public let medicines: [DrugEntry]

    /// Normalised name or synonym → index in `medicines`.
    private let index: [String: Int]
    /// The longest name in words, to bound prefix matching.
    private let longestNameWords: Int

    enum CodingKeys: String, CodingKey { case version, published, status, sources, medicines }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        published = try container.decode(String.self, forKey: .published)
        status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
        sources = try container.decode([String: String].self, forKey: .sources)
        medicines = try container.decode([DrugEntry].self, forKey: .medicines)
        var index = [String: Int]()
        var longest = 1
        for (position, entry) in medicines.enumerated() {
            for name in [entry.name] + entry.synonyms {
                let key = DrugTable.normalise(name)
                guard !key.isEmpty else { continue }
                if let existing = index[key], medicines[existing].id != entry.id {
                    throw CareError.badRequest("Drug table: the name \(name) belongs to two medicines (\(medicines[existing].id), \(entry.id)).")
                }
                index[key] = position
                longest = max(longest, key.split(separator: " ").count)
            }
        }
        self.index = index
        longestNameWords = longest
    }

    /// Decodes the table from JSON bytes.
    public static func decode(_ bytes: [UInt8]) throws -> DrugTable {
        try JSONDecoder().decode(DrugTable.self, from: Data(bytes))
    }

    /// The table embedded in the plugin.
    public static func shipped() throws -> DrugTable {
        try decode(PackageResources.drug_table_json)
    }

    /// The entry for a medicine as staff typed it, or nil when it is not in the table (unclassified).
    public func lookup(_ typedName: String) -> DrugEntry? {
        let words = DrugTable.normalise(typedName).split(separator: " ")
        guard !words.isEmpty else { return nil }
        // Longest leading run of words that is a known name: "ibuprofen gel 5%" is the gel, not the tablet.
        for count in stride(from: min(words.count, longestNameWords), through: 1, by: -1) {
            if let position = index[words[0..<count].joined(separator: " ")] { return medicines[position] }
        }
        return nil
    }

    /// The entry with a table id.
    public func entry(id: String) -> DrugEntry? { medicines.first { $0.id == id } }

    /// Lower case, letters and digits only, single spaces (`Co-codamol 30/500` → `co codamol 30 500`).
    public static func normalise(_ text: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.append(character)
            } else {
                pendingSpace = true
            }
        }
        return out
    }
}

/// One medicine in the drug table.
public struct DrugEntry: Sendable, Decodable, Equatable {
    /// Stable id (`amitriptyline`).
    public let id: String
    /// Generic name shown to staff.
    public let name: String
    /// Other names staff may type: brands, older names.
    public let synonyms: [String]
    /// Pharmacological class (`SSRI antidepressant`): two current medicines of one class raise a prompt.
    public let drugClass: String
    /// BNF chapter (1–15).
    public let bnfChapter: Int
    /// Anticholinergic burden score 0–3.
    public let acb: Int
    /// STOPPFall class, or nil when not a falls-risk-increasing drug.
    public let stoppfall: String?
    /// Flags (`opioid`, `laxative`, `sick-day`…), as `MedicineFlag` raw values.
    public let flags: [String]
    /// For sick-day drugs: `diuretic`, `acei-arb`, `metformin`, `nsaid`, `sglt2`, `sulfonylurea`.
    public let sickDayGroup: String?
    /// Active ingredients (combination products list each): the same ingredient twice raises a prompt.
    public let contains: [String]
    /// Where each fact comes from.
    public let sources: DrugSources

    enum CodingKeys: String, CodingKey {
        case id, name, synonyms, drugClass = "class", bnfChapter, acb, stoppfall, flags, sickDayGroup, contains, sources
    }

    /// The flags as the SDK's type (unknown strings are ignored; `falls-risk` is added from STOPPFall).
    public var medicineFlags: Set<MedicineFlag> {
        var set = Set(flags.compactMap(MedicineFlag.init(rawValue:)))
        if stoppfall != nil { set.insert(.fallsRisk) }
        return set
    }

    /// Whether the entry has a flag.
    public func has(_ flag: MedicineFlag) -> Bool { medicineFlags.contains(flag) }
}

/// The source of each fact in a drug table entry.
public struct DrugSources: Sendable, Decodable, Equatable {
    /// Where the class comes from.
    public let drugClass: String
    /// Where the BNF chapter comes from.
    public let bnfChapter: String
    /// Where the ACB score comes from.
    public let acb: String
    /// Where the STOPPFall class (or its absence) comes from.
    public let stoppfall: String
    /// Per flag, its source.
    public let flags: [String: String]

    enum CodingKeys: String, CodingKey { case drugClass = "class", bnfChapter, acb, stoppfall, flags }
}
