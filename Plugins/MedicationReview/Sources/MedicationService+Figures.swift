import CareKit
import CareServices

/// `Services.medicationReviewFigures`: structured medication reviews counted for the impact pack.
extension MedicationService: MedicationReviewFigures {
    func structuredReviews(from start: Day, through end: Day) throws -> Int {
        try database.read { db in
            try db.queryOne("SELECT COUNT(*) AS n FROM medication_review_reviews WHERE entered_in_error = 0 AND reviewed_on >= ? AND reviewed_on <= ?",
                            [.text(start.iso), .text(end.iso)])?.int("n") ?? 0
        }
    }

    func residentsReviewed(since day: Day, among residentIDs: Set<Int64>) throws -> Int {
        guard !residentIDs.isEmpty else { return 0 }
        let reviewed = try database.read { db in
            try db.query("SELECT DISTINCT resident_id FROM medication_review_reviews WHERE entered_in_error = 0 AND reviewed_on >= ?", [.text(day.iso)])
        }.compactMap { $0.int64("resident_id") }
        return Set(reviewed).intersection(residentIDs).count
    }
}
