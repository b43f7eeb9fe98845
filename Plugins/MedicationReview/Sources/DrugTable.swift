public import CareKit
public import CareServices
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
    /// Classes where two products at once are usual care (emollients, tear replacements), with the
    /// reason: the same-class rule does not fire for them.
    public let duplicatesExpected: [String: String]

    /// Normalised name or synonym → index in `medicines`.
    private let index: [String: Int]
    /// The longest name in words, to bound prefix matching.
    private let longestNameWords: Int

    enum CodingKeys: String, CodingKey { case version, published, status, sources, medicines, duplicatesExpected }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        published = try container.decode(String.self, forKey: .published)
        status = try container.decodeIfPresent(String.self, forKey: .status) ?? ""
        sources = try container.decode([String: String].self, forKey: .sources)
        medicines = try container.decode([DrugEntry].self, forKey: .medicines)
        duplicatesExpected = try container.decodeIfPresent([String: String].self, forKey: .duplicatesExpected) ?? [:]
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
    ///
    /// The route or form staff type decides as much as the name: "Ibuprofen 5% gel" is the topical
    /// gel, never the tablets, and "Diclofenac eye drops" (not in the table) is unclassified rather
    /// than taken for the tablets. Strengths ("5 mg", "0.25%") are passed over when the name alone
    /// does not match.
    ///
    /// `recordedRoute` is the route chosen on the medicine's record (`topical`, `nebulised`…). It is used
    /// when the name states none, except `oral`: that is the form's default, so it is not taken as a
    /// choice that could overrule a name such as "Zerobase" (an emollient).
    public func lookup(_ typedName: String, recordedRoute: String? = nil) -> DrugEntry? {
        let words = DrugTable.normalise(typedName).split(separator: " ").map(String.init)
        guard !words.isEmpty else { return nil }
        let typedRoute = DrugRoute.stated(in: words) ?? recordedRoute.flatMap(DrugRoute.init(recorded:))
        let withoutStrengths = words.filter { !DrugTable.isStrength($0) }
        for candidate in [words, withoutStrengths] {
            guard let entry = longestMatch(candidate) else { continue }
            guard let typedRoute, !entry.routes.contains(typedRoute) else { return entry }
            // The name matched a product of another route: take the same medicine by the route typed,
            // if the table has it; otherwise do not guess.
            return medicines.first { $0.routes.contains(typedRoute) && !Set($0.contains).isDisjoint(with: entry.contains) && $0.contains.count == entry.contains.count }
        }
        return nil
    }

    /// The longest leading run of words that is a known name: "ibuprofen gel 5%" is the gel, not the tablet.
    private func longestMatch(_ words: [String]) -> DrugEntry? {
        guard !words.isEmpty else { return nil }
        for count in stride(from: min(words.count, longestNameWords), through: 1, by: -1) {
            if let position = index[words[0..<count].joined(separator: " ")] { return medicines[position] }
        }
        return nil
    }

    /// A number or a unit of strength (`5`, `mg`, `micrograms`, `ml`): never part of a medicine's identity.
    static func isStrength(_ word: String) -> Bool {
        if word.allSatisfy(\.isNumber) { return true }
        let units: Set<String> = ["mg", "g", "mcg", "microgram", "micrograms", "ml", "units", "unit", "iu", "mmol", "nanograms", "dose", "doses", "x"]
        if units.contains(word) { return true }
        // `5mg`, `500mg`, `0`, `25ml`: digits followed by a unit.
        let digits = word.prefix { $0.isNumber }
        return !digits.isEmpty && units.contains(String(word.dropFirst(digits.count)))
    }

    /// Whether two products of a class at once are usual care (no same-class prompt).
    public func duplicatesAreUsual(_ drugClass: String) -> Bool { duplicatesExpected[drugClass] != nil }

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
    /// How it is given (`oral`, `topical`, `eye`, `inhaled`…): a gel and a tablet of one medicine are
    /// different entries, and only medicines that act on the whole body count as a duplicate ingredient.
    public let routes: [DrugRoute]
    /// Where each fact comes from.
    public let sources: DrugSources

    enum CodingKeys: String, CodingKey {
        case id, name, synonyms, drugClass = "class", bnfChapter, acb, stoppfall, flags, sickDayGroup, contains, routes, sources
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        synonyms = try c.decode([String].self, forKey: .synonyms)
        drugClass = try c.decode(String.self, forKey: .drugClass)
        bnfChapter = try c.decode(Int.self, forKey: .bnfChapter)
        acb = try c.decode(Int.self, forKey: .acb)
        stoppfall = try c.decodeIfPresent(String.self, forKey: .stoppfall)
        flags = try c.decode([String].self, forKey: .flags)
        sickDayGroup = try c.decodeIfPresent(String.self, forKey: .sickDayGroup)
        contains = try c.decode([String].self, forKey: .contains)
        routes = try c.decodeIfPresent([DrugRoute].self, forKey: .routes) ?? [.oral]
        sources = try c.decode(DrugSources.self, forKey: .sources)
    }

    /// The flags the rules use: those the entry declares, and every flag its STOPPFall class, its
    /// class name or its sick-day group implies (`impliedFlags`). So a drug the table puts in
    /// STOPPFall's antipsychotics class is an antipsychotic for every rule, whether or not the
    /// entry repeats it; `DrugTableTests` also checks that the shipped entries say so themselves.
    public var medicineFlags: Set<MedicineFlag> {
        Set(flags.compactMap(MedicineFlag.init(rawValue:))).union(impliedFlags)
    }

    /// Flags that follow from the entry's own data.
    public var impliedFlags: Set<MedicineFlag> {
        var set = Set<MedicineFlag>()
        switch stoppfall {
        case "Antipsychotics"?: set.insert(.antipsychotic)
        case "Opioids"?: set.insert(.opioid)
        case "Benzodiazepines"?: set.insert(.benzodiazepine)
        case "Benzodiazepine-related drugs (Z-drugs)"?: set.insert(.zDrug)
        default: break
        }
        if stoppfall != nil { set.insert(.fallsRisk) }
        let words = drugClass.lowercased()
        if words.contains("antipsychotic") { set.insert(.antipsychotic) }
        if words.contains("opioid analgesic") && !words.contains("non-opioid") { set.insert(.opioid) }
        if words.hasPrefix("benzodiazepine") { set.insert(.benzodiazepine) }
        if words.contains("anticoagulant") { set.insert(.anticoagulant) }
        if words.contains("antiplatelet") { set.insert(.antiplatelet) }
        if words.contains("laxative") || words == "enema" { set.insert(.laxative) }
        if words.contains("gabapentinoid") { set.insert(.gabapentinoid) }
        if sickDayGroup != nil { set.insert(.sickDay) }
        if flags.contains(MedicineFlag.aspirin.rawValue) { set.insert(.antiplatelet) }
        return set
    }

    /// Whether it acts on the whole body by at least one of its routes (not only on the skin, eye, ear,
    /// nose or mouth, or inhaled).
    public var isSystemic: Bool { routes.contains { $0.isSystemic } }

    /// Whether the entry has a flag.
    public func has(_ flag: MedicineFlag) -> Bool { medicineFlags.contains(flag) }
}

/// How a medicine is given, as the drug table records it and as staff type it ("eye drops", "gel").
public enum DrugRoute: String, Sendable, Decodable, CaseIterable {
    case oral, buccal, sublingual, injection, transdermal, rectal, vaginal, topical, eye, ear, nasal, inhaled, mouthwash

    /// Whether a product by this route acts on the whole body.
    public var isSystemic: Bool {
        switch self {
        case .oral, .buccal, .sublingual, .injection, .transdermal, .rectal: true
        case .vaginal, .topical, .eye, .ear, .nasal, .inhaled, .mouthwash: false
        }
    }

    /// Words staff type that name a route (normalised: lower case, letters and digits).
    static let words: [String: DrugRoute] = [
        "gel": .topical, "cream": .topical, "ointment": .topical, "lotion": .topical, "foam": .topical, "topical": .topical,
        "plaster": .topical, "plasters": .topical, "shampoo": .topical, "emollient": .topical,
        "eye": .eye, "eyes": .eye, "ophthalmic": .eye, "eyedrops": .eye,
        "ear": .ear, "ears": .ear, "otic": .ear,
        "nasal": .nasal, "nose": .nasal,
        "inhaler": .inhaled, "inhalers": .inhaled, "inhalation": .inhaled, "inhaled": .inhaled, "evohaler": .inhaled,
        "accuhaler": .inhaled, "turbohaler": .inhaled, "easyhaler": .inhaled, "ellipta": .inhaled, "respimat": .inhaled,
        "handihaler": .inhaled, "breezhaler": .inhaled, "genuair": .inhaled, "nexthaler": .inhaled, "spiromax": .inhaled,
        "nebules": .inhaled, "nebuliser": .inhaled, "nebulizer": .inhaled, "mdi": .inhaled,
        "suppository": .rectal, "suppositories": .rectal, "enema": .rectal, "rectal": .rectal,
        "patch": .transdermal, "patches": .transdermal, "transdermal": .transdermal,
        "injection": .injection, "injections": .injection, "inj": .injection, "syringe": .injection, "subcutaneous": .injection,
        "intramuscular": .injection, "ampoule": .injection, "ampoules": .injection, "vial": .injection, "penfill": .injection,
        "pessary": .vaginal, "pessaries": .vaginal, "vaginal": .vaginal,
        "sublingual": .sublingual, "buccal": .buccal, "oromucosal": .buccal, "mouthwash": .mouthwash,
        "tablet": .oral, "tablets": .oral, "tab": .oral, "tabs": .oral, "capsule": .oral, "capsules": .oral, "caps": .oral,
        "oral": .oral, "liquid": .oral, "suspension": .oral, "syrup": .oral, "sachet": .oral, "sachets": .oral,
        "granules": .oral, "dispersible": .oral, "soluble": .oral, "effervescent": .oral, "elixir": .oral,
    ]

    /// The route as chosen on a medicine record's form (`transdermal patch`, `subcutaneous injection`),
    /// nil for `oral` (the default), `enteral tube` and `other`.
    init?(recorded: String) {
        switch recorded.lowercased() {
        case "sublingual": self = .sublingual
        case "buccal": self = .buccal
        case "transdermal patch", "transdermal": self = .transdermal
        case "inhaled", "nebulised": self = .inhaled
        case "topical": self = .topical
        case "eye": self = .eye
        case "ear": self = .ear
        case "nasal": self = .nasal
        case "rectal": self = .rectal
        case "vaginal": self = .vaginal
        case "subcutaneous injection", "intramuscular injection", "injection": self = .injection
        default: return nil
        }
    }

    /// The route the typed words state, when they state exactly one ("oral gel" is oral: a stated
    /// "oral" wins over a form word). Nil when none, or when they disagree.
    static func stated(in words: [String]) -> DrugRoute? {
        let found = Set(words.compactMap { DrugRoute.words[$0] })
        if found.contains(.oral) { return .oral }
        return found.count == 1 ? found.first : nil
    }
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
