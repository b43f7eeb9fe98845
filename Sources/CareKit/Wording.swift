/// Small rules for putting titles into sentences, shared by every plugin so that one list of
/// exceptions serves every page.
public enum Wording {
    /// Words that keep their capital inside a sentence even though only the first letter is a
    /// capital: names of people, places and days that start titles staff see.
    static let properWords: Set<String> = [
        "alzheimer's", "alzheimer’s", "parkinson's", "parkinson’s", "lewy", "huntington's", "huntington’s",
        "christmas", "easter", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "respect", "nhs", "england",
    ]

    /// A title as it reads inside a sentence: `Vascular dementia` → `vascular dementia`, but
    /// `Alzheimer's disease`, `Parkinson's disease dementia`, `GP`, `EHCH items` and `X-ray` keep their capitals.
    public static func midSentence(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count > 1, chars[0].isUppercase, chars[1].isLowercase else { return text }
        let firstWord = String(text.prefix { $0 != " " }).lowercased()
        if properWords.contains(firstWord) { return text }
        // A name of two capitalised words (`Good Friday`, `New Year's Day`, `Boxing Day`) keeps both.
        let words = text.split(separator: " ")
        if words.count > 1, words[1].first?.isUppercase == true { return text }
        // A possessive of a name (`Addison's disease`) is a proper noun.
        if firstWord.hasSuffix("'s") || firstWord.hasSuffix("’s") { return text }
        return chars[0].lowercased() + String(chars.dropFirst())
    }
}
