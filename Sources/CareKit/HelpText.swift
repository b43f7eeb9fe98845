import Foundation

/// Help in plain words that a plugin ships as a text file in its `Sources/Data/` (compiled in) and shows
/// on a page of its own, under its own routes, so that it is there exactly while the plugin is loaded.
///
/// The file is plain text, written for the carer or nurse who will read it:
/// ```text
/// # How the falls log works          (the first line: the page's title)
///
/// A paragraph, one or more lines; a blank line ends it.
///
/// ## A heading
/// - an item of a list
/// - another item
/// ```
/// Everything is escaped: the file cannot add markup, links or scripts to the page.
public struct HelpText: Sendable, Equatable {
    /// The title: the first line's text after `# ` (or the whole first line).
    public let title: String
    /// The rest, as headings, paragraphs and lists.
    public let html: HTML

    /// Reads help from the text of a file (UTF-8 bytes, as `PackageResources` gives them).
    public init(_ bytes: [UInt8]) { self.init(String(decoding: bytes, as: UTF8.self)) }

    /// Reads help from text.
    public init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        let first = lines.isEmpty ? "" : lines.removeFirst()
        title = first.hasPrefix("# ") ? String(first.dropFirst(2)) : first

        var html: HTML = ""
        var paragraph: [String] = []
        var items: [String] = []
        func flush() {
            if !paragraph.isEmpty { html += "<p>\(paragraph.joined(separator: " "))</p>"; paragraph = [] }
            if !items.isEmpty { html += "<ul>\(items.map { item -> HTML in "<li>\(item)</li>" })</ul>"; items = [] }
        }
        for line in lines {
            if line.isEmpty {
                flush()
            } else if line.hasPrefix("## ") {
                flush()
                html += "<h2>\(String(line.dropFirst(3)))</h2>"
            } else if line.hasPrefix("- ") {
                if !paragraph.isEmpty { flush() }
                items.append(String(line.dropFirst(2)))
            } else {
                if !items.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        self.html = html
    }
}
