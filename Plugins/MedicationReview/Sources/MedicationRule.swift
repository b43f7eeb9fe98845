public import CareKit
public import CareServices

/// A clinical rule as listed on the "Rules in use" page: what it checks, why, from which source.
/// Every rule flags a resident for clinical review; none recommends a change.
public struct MedicationRule: Sendable, Equatable {
    /// Stable id (`MR-POLY-10`), shown with every prompt.
    public let id: String
    /// Headline of its prompts.
    public let title: String
    /// What it checks, in words, with its thresholds and what is counted.
    public let checks: String
    /// The cited source.
    public let source: String
    /// The severity of its prompts (some rules raise a higher one in stated cases).
    public let severity: PromptSeverity
    /// Rule version: raised whenever the logic or threshold changes.
    public let version: Int
    /// Whether its prompts go on the next home round's agenda whatever their severity (CLINICAL.md's
    /// agenda signals: structured medication review overdue, antipsychotic in dementia due for review).
    public var forRound: Bool = false

    /// The version of the whole rule set, shown on the "Rules in use" page.
    public static let ruleSetVersion = "2026.11.2"

    /// Days after a fall during which any falls-risk drug raises a prompt (own design).
    public static let recentFallDays = 30
    /// A planned course this long or shorter is not "long-term" for polypharmacy (own design).
    public static let shortCourseDays = 28
    /// Benzodiazepines and Z-drugs beyond this many days (BNF: 2–4 weeks).
    public static let benzodiazepineDays = 28
    /// Antipsychotic review interval in dementia (NICE NG97: at least every 6 weeks).
    public static let antipsychoticReviewDays = 42

    public static let admissionReview = MedicationRule(
        id: "MR-ADM-SMR", title: "New admission or return from hospital: flag for a structured medication review",
        checks: "A resident admitted or re-admitted (returned from hospital) with no structured medication review recorded since. Due by the 7th working day after the day of admission (day 0; weekends and bank holidays in England and Wales not counted). Review while due; High once the deadline has passed. Applies for 12 months after the admission; after that MR-SMR-12M applies.",
        source: "NHS England, Enhanced Health in Care Homes framework v2 (2020): identify and prioritise for SMR within 7 working days of admission or re-admission. Counting of working days: our reading, shown on every deadline.",
        severity: .moderate, version: 1)
    public static let reconciliation = MedicationRule(
        id: "MR-RECON", title: "Medicines reconciliation not recorded after admission or return from hospital",
        checks: "The latest admission or return from hospital (within the last 12 months) has no medicines reconciliation recorded on or after that day.",
        source: "NICE NG5 (2015) Medicines optimisation, 1.3 (reconcile medicines when a person moves between care settings); BGS; NICE SC1 (2014) Managing medicines in care homes.",
        severity: .high, version: 1)
    public static let reviewOverdue = MedicationRule(
        id: "MR-SMR-12M", title: "Structured medication review more than 12 months ago",
        checks: "The last structured medication review was more than 12 months ago (exactly 12 months is not yet overdue), or none is recorded and the resident was not admitted in the last 12 months.",
        source: "NICE QS85 (2015) Medicines management in care homes, statement 5: a multidisciplinary medication review at least once a year.",
        severity: .moderate, version: 1, forRound: true)
    public static let polypharmacyHigh = MedicationRule(
        id: "MR-POLY-10", title: "Polypharmacy: 10 or more long-term medicines",
        checks: "Counts unique long-term regular medicines in BNF chapters 1–4 and 6–10: as-needed (PRN) medicines, courses planned for 28 days or less, and chapters 5 and 11–15 (infections, eye, ear, skin, immunology, anaesthesia) are not counted; a medicine recorded twice counts once; unclassified medicines are counted (their chapter is unknown). 10 or more: High.",
        source: "NHSBSA care home prescribing metrics (BNF chapters 1–4, 6–10; Open Government Licence); NHS England SMR guidance (2020): 10 or more medicines is an SMR cohort.",
        severity: .high, version: 1)
    public static let polypharmacyConsider = MedicationRule(
        id: "MR-POLY-6", title: "Polypharmacy: 6 to 9 long-term medicines",
        checks: "Counted as for MR-POLY-10; 6 to 9 medicines: Consider.",
        source: "NHSBSA care home prescribing metrics (6 or more unique medicines, BNF chapters 1–4 and 6–10).",
        severity: .consider, version: 1)
    public static let anticholinergicBurden = MedicationRule(
        id: "MR-ACB", title: "Anticholinergic burden",
        checks: "Sum of ACB scores of the current medicines (regular and as-needed, each medicine once) is 3 or more, or 2 or more medicines score 2 or 3. Unclassified medicines have no score and are named in the reason.",
        source: "Anticholinergic Cognitive Burden scale (Boustani M et al., Aging Health 2008;4:311–20; 2012 update). A total of 3 or more is associated with cognitive impairment and mortality (Fox C et al., J Am Geriatr Soc 2011).",
        severity: .moderate, version: 1)
    public static let fallsRiskDrugs = MedicationRule(
        id: "MR-FALLS-3", title: "Three or more falls-risk-increasing drugs",
        checks: "Three or more current medicines (regular or as-needed) in STOPPFall classes.",
        source: "STOPPFall (Seppala LJ et al., Age Ageing 2021;50:1189–99); NICE NG249 (2025): medication review as part of a multifactorial falls assessment.",
        severity: .moderate, version: 1)
    public static let fallsRiskAfterFall = MedicationRule(
        id: "MR-FALLS-AFTER-FALL", title: "Recent fall: review falls-risk-increasing drugs",
        checks: "A fall in the last 30 days (own design) and any current STOPPFall medicine, or any current medicine the drug table does not recognise (it may be one). The reason says which were taken at the time of the fall and which were started since. Comes back after each new fall.",
        source: "NICE NG249 (2025): review medicines after a fall; STOPPFall (Seppala 2021); NHS England SMR guidance: recent falls are an SMR cohort.",
        severity: .high, version: 2)
    public static let antipsychoticDementia = MedicationRule(
        id: "MR-AP-DEM", title: "Antipsychotic with dementia: review due",
        checks: "A current antipsychotic and dementia recorded, or named in the key diagnoses when the dementia field says otherwise, with no structured medication review in the last 6 weeks (42 days; counted from the later of the antipsychotic's start and the last review). Due on that day: Review.",
        source: "NICE NG97 (2018) Dementia (managing non-cognitive symptoms): reassess the need for antipsychotics at least every 6 weeks.",
        severity: .moderate, version: 2, forRound: true)
    public static let antipsychoticDementiaNotRecorded = MedicationRule(
        id: "MR-AP-DEM-UNKNOWN", title: "Antipsychotic: whether they have dementia is not recorded",
        checks: "A current antipsychotic, and the registry's dementia field is \u{201C}not recorded yet\u{201D} with no dementia in the key diagnoses. Not recorded is not \u{201C}no\u{201D}: record it, so the dementia rules can apply.",
        source: "NICE NG97 (2018) Dementia: antipsychotics in dementia need review at least every 6 weeks and are dangerous in Lewy body and Parkinson's disease dementia; own design (a missing fact is asked for, never assumed).",
        severity: .moderate, version: 1)
    public static let antipsychoticLewy = MedicationRule(
        id: "MR-AP-LEWY", title: "Antipsychotic with Lewy body or Parkinson's disease dementia",
        checks: "Any current antipsychotic (including as-needed) for a resident with dementia with Lewy bodies or Parkinson's disease dementia.",
        source: "NICE NG97 (2018) Dementia: antipsychotics can worsen the motor features of Parkinson's disease and dementia with Lewy bodies and cause severe sensitivity reactions.",
        severity: .high, version: 1)
    public static let opioidWithoutLaxative = MedicationRule(
        id: "MR-OPIOID-LAX", title: "Regular opioid without a laxative",
        checks: "A current regular opioid and no current laxative (regular or as-needed) recorded.",
        source: "STOPP/START version 3 (O'Mahony D et al., Eur Geriatr Med 2023): regular opioids without a concomitant laxative.",
        severity: .moderate, version: 1)
    public static let benzodiazepineLong = MedicationRule(
        id: "MR-BZD-4W", title: "Benzodiazepine or Z-drug for more than 4 weeks",
        checks: "A current benzodiazepine or Z-drug (regular or as-needed) started more than 28 days ago (28 days exactly: not yet).",
        source: "BNF, Hypnotics and anxiolytics (CSM advice: benzodiazepines for short-term use, 2–4 weeks); STOPP/START v3.",
        severity: .moderate, version: 1)
    public static let sameClass = MedicationRule(
        id: "MR-DUP-CLASS", title: "Two medicines of the same class or with the same ingredient",
        checks: "Two or more current medicines (regular or as-needed, different entries) of the same class in the drug table, or sharing an active ingredient taken into the body (paracetamol in paracetamol and co-codamol; not an ibuprofen gel beside ibuprofen tablets), or one medicine recorded twice as regular. A regular and an as-needed record of the same medicine are not counted as a duplicate, nor are classes where several products at once are usual care (emollients, tear replacements, barrier preparations, nutritional supplements: the drug table lists them with the reason).",
        source: "STOPP/START v3 (O'Mahony 2023), section A: duplicate drug class prescription; MHRA/NPSA: paracetamol in combination products.",
        severity: .moderate, version: 2)
    public static let sickDay = MedicationRule(
        id: "MR-SICK-DAY", title: "Sick-day medicines: sick-day guidance in the care plan",
        checks: "Two or more current regular medicines among diuretics, ACE inhibitors / ARBs, metformin, NSAIDs (also SGLT2 inhibitors and sulfonylureas: SADMANS). Check the care plan says what to do during dehydrating illness.",
        source: "Think Kidneys (NHS England) sick day guidance (2018); NICE CKS Acute kidney injury; MHRA Drug Safety Update (SGLT2 inhibitors, 2016).",
        severity: .consider, version: 1)
    public static let unclassified = MedicationRule(
        id: "MR-UNCLASSIFIED", title: "Medicine not in the drug table (unclassified)",
        checks: "A current medicine whose name matches no entry in the drug table. Its class, ACB score and falls risk are unknown, so the other rules cannot see it: classify it (correct the name or ask for the table to be extended).",
        source: "Own design: an unknown medicine is never guessed.",
        severity: .moderate, version: 1)

    /// Every rule, in the order shown on the "Rules in use" page.
    public static let all: [MedicationRule] = [
        admissionReview, reconciliation, reviewOverdue, polypharmacyHigh, polypharmacyConsider, anticholinergicBurden,
        fallsRiskDrugs, fallsRiskAfterFall, antipsychoticDementia, antipsychoticLewy, antipsychoticDementiaNotRecorded, opioidWithoutLaxative,
        benzodiazepineLong, sameClass, sickDay, unclassified,
    ]

    /// A rule by id.
    public static func rule(id: String) -> MedicationRule? { all.first { $0.id == id } }
}
