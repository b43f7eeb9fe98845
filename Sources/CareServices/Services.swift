public import CareKit

/// The services the first-party plugins publish. A plugin that uses one must work without it
/// (the publishing plugin may be disabled): leave out what it would have shown.
public enum Services {
    /// The resident registry: residents, movements, occupancy, the admission clock.
    public static let residentDirectory = ServiceKey<any ResidentDirectory>("residents.directory")
    /// The home profile (name, round day, extra non-working days).
    public static let homeProfile = ServiceKey<any HomeProfileProvider>("residents.home-profile")
    /// A resident's current medicines (medication review plugin).
    public static let currentMedicines = ServiceKey<any CurrentMedicines>("medication.current-medicines")
    /// Open medication review prompts (medication review plugin).
    public static let medicationPrompts = ServiceKey<any MedicationPromptSource>("medication.prompts")
    /// Falls (falls log plugin).
    public static let falls = ServiceKey<any FallsSource>("falls.source")
    /// Concerns raised for the next home round (home round plugin).
    public static let roundConcerns = ServiceKey<any RoundConcerns>("home-round.concerns")
    /// Soft signs, observations and escalations (deterioration plugin).
    public static let deterioration = ServiceKey<any DeteriorationSource>("deterioration.source")
    /// Recording a resident's move to hospital from another plugin's page (resident registry).
    public static let residentMovements = ServiceKey<any ResidentMovementRecorder>("residents.movements")
    /// The home's staff accounts, so that work is given to a person, not a typed name (the server).
    public static let staff = ServiceKey<any StaffDirectory>("core.staff")
    /// Photos made small, upright and free of their metadata before they are kept (the server).
    public static let portraits = ServiceKey<any PortraitMaker>("core.portraits")
    /// Hospital transfers the MDT has not yet reviewed (transfers plugin): the round agenda reads it.
    public static let transferReviews = ServiceKey<any TransferReviewSource>("transfers.reviews")
    /// Why and how a resident now away went to hospital (transfers plugin): the registry's transfer summary prints it.
    public static let currentTransfer = ServiceKey<any CurrentTransferSource>("transfers.current")
    /// Weekly rounds held, residents reviewed and actions closed on time for a period (home round plugin).
    public static let roundFigures = ServiceKey<any RoundFiguresSource>("home-round.figures")
    /// Structured medication reviews for a period (medication plugin).
    public static let medicationReviewFigures = ServiceKey<any MedicationReviewFigures>("medication.review-figures")
}
