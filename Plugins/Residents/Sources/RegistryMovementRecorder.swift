import CareKit
import CareServices

/// The `ResidentMovementRecorder` other plugins resolve through `Services.residentMovements`: the
/// same checks and versioning as the registry's own movement page, and the same event.
struct RegistryMovementRecorder: ResidentMovementRecorder {
    let residents: ResidentStore
    let today: @Sendable () -> Day

    func recordWentToHospital(residentID: Int64, on day: Day, note: String, by principal: Principal) throws {
        do {
            try residents.recordMovement(residentID: residentID, kind: .wentToHospital, on: day, place: "", note: note,
                                         by: principal, today: today())
        } catch let failure as ValidationFailure {
            // The registry's reasons, in its own words ("cannot be recorded for a resident whose status is …").
            let reasons = failure.errors.items.map(\.message).joined(separator: "; ")
            throw CareError.conflict(reasons.isEmpty ? "The move to hospital could not be recorded." : reasons)
        }
    }
}
