import CareKit
import Foundation
import Testing

@Suite("HTML, forms and CSV")
struct HTMLTests {
    @Test("interpolated text is escaped; HTML fragments are inserted as they are")
    func escaping() {
        let name = "<b>O'Brien & \"Sons\"</b>"
        let inner: HTML = "<em>\(name)</em>"
        let outer: HTML = "<p>\(inner)</p>"
        #expect(outer.rendered == "<p><em>&lt;b&gt;O&#39;Brien &amp; &quot;Sons&quot;&lt;/b&gt;</em></p>")
    }

    @Test("a person's role is shown once, even when their account name already carries it in brackets")
    func personWithRole() {
        #expect(UI.person("Dr Gareth Price (GP)", "GP", "Riverside Surgery") == "Dr Gareth Price (GP, Riverside Surgery)")
        #expect(UI.person("Dr Gareth Price (gp)", "GP") == "Dr Gareth Price (GP)")
        #expect(UI.person("Dr Gareth Price (GP)", "Visiting clinician") == "Dr Gareth Price (GP) (Visiting clinician)")
        #expect(UI.person("Tom Bradley", "PCN clinical pharmacist", "") == "Tom Bradley (PCN clinical pharmacist)")
        #expect(UI.person("Tom Bradley", "") == "Tom Bradley")
    }

    @Test("a table sits in a named box that a keyboard can reach, so a table wider than a phone can be scrolled without a mouse")
    func tableScrollRegion() {
        let table = UI.table(caption: "22 falls, newest first", headers: ["When", "Resident"], rows: [["Today", "Peggy"]])
        #expect(table.rendered.hasPrefix("<div class=\"table-wrap\" role=\"region\" aria-label=\"22 falls, newest first\" tabindex=\"0\">"))
    }

    @Test("an attribute cannot be broken out of by user text")
    func attributeEscaping() {
        let value = "\" onfocus=\"alert(1)"
        let field = Form.input("name", label: "Name", value: value, errors: FormErrors())
        #expect(field.rendered.contains("value=\"&quot; onfocus=&quot;alert(1)\""))
    }

    @Test("a field with an error shows the message beside it, linked for screen readers, and keeps the input")
    func fieldError() {
        var errors = FormErrors()
        errors.add("nhs_number", "This NHS number is not valid: check the last digit")
        let field = Form.input("nhs_number", label: "NHS number", value: "943 476 5910", errors: errors)
        #expect(field.rendered.contains("class=\"field field-error\""))
        #expect(field.rendered.contains("aria-describedby=\"f-nhs-number-error\""))
        #expect(field.rendered.contains("<span class=\"error-message\" id=\"f-nhs-number-error\">"))
        #expect(field.rendered.contains("value=\"943 476 5910\""))
        let summary = Form.errorSummary(errors)
        #expect(summary.rendered.contains("href=\"#f-nhs-number\""))
    }

    @Test("every form carries the CSRF token and a 32-hex-digit one-time token")
    func formTokens() {
        let request = Request(method: .get, path: "/x", principal: Principal(userID: 1, username: "u", displayName: "U", role: .nurse), csrfToken: "tok")
        let start = Form.start(action: "/save", request: request).rendered
        #expect(start.contains("name=\"_csrf\" value=\"tok\""))
        let once = start.components(separatedBy: "name=\"_once\" value=\"").last?.prefix(32) ?? ""
        #expect(once.count == 32 && once.allSatisfy(\.isHexDigit))
    }

    @Test("CSV cells are quoted, and a cell a spreadsheet would run as a formula is defused")
    func csv() {
        #expect(CSV.line(["a,b", "say \"hi\"", "=HYPERLINK(\"x\")", "-3", "+44 7700", "@SUM"]) ==
                "\"a,b\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",-3,'+44 7700,'@SUM\r\n")
    }
}

@Suite("Days and times")
struct DayTests {
    @Test("days convert to and from the epoch count across leap years and centuries")
    func epochRoundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(Day(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(Day(daysSinceEpoch: 0).iso == "1970-01-01")
        #expect(Day(year: 2000, month: 2, day: 29)?.adding(days: 1).iso == "2000-03-01")
        #expect(Day(year: 1900, month: 2, day: 29) == nil)
    }

    @Test("weekdays are right, Monday first")
    func weekdays() {
        #expect(Day(year: 2026, month: 11, day: 23)?.weekday == .monday)
        #expect(Day(year: 1970, month: 1, day: 1)?.weekday == .thursday)
        #expect(Day(year: 2024, month: 2, day: 29)?.weekday == .thursday)
    }

    @Test("what people type and what date inputs send are both understood; impossible dates are not")
    func parsing() {
        #expect(Day(parsing: "2026-11-23") == Day(year: 2026, month: 11, day: 23))
        #expect(Day(parsing: " 23/11/2026 ") == Day(year: 2026, month: 11, day: 23))
        #expect(Day(parsing: "31/02/2026") == nil)
        #expect(Day(parsing: "2026-13-01") == nil)
        #expect(Day(parsing: "yesterday") == nil)
        #expect(Day(parsing: "11/23/2026") == nil, "American order is not a date here")
    }

    @Test("age counts whole years; a birthday on 29 February is reached on 1 March in other years")
    func age() throws {
        let born = try #require(Day(year: 1940, month: 2, day: 29))
        #expect(born.age(on: try #require(Day(year: 2026, month: 2, day: 28))) == 85)
        #expect(born.age(on: try #require(Day(year: 2026, month: 3, day: 1))) == 86)
    }

    @Test("instants are stored as UTC text and shown in the home's time, with British Summer Time")
    func homeTime() throws {
        let summer = try #require(Timestamp.parse("2026-07-01T12:30:00Z"))
        #expect(HomeTime.display(summer) == "1 Jul 2026 13:30")
        let winter = try #require(Timestamp.parse("2026-12-01T12:30:00Z"))
        #expect(HomeTime.display(winter) == "1 Dec 2026 12:30")
        #expect(Timestamp.format(summer) == "2026-07-01T12:30:00Z")
        let typed = try #require(HomeTime.parse("2026-07-01T13:30"))
        #expect(typed == summer)
        #expect(HomeTime.parse("2026-07-01T25:00") == nil)
    }
}

@Suite("Help text in plain words")
struct HelpTextTests {
    @Test("the first line is the title; headings, paragraphs and lists follow; everything typed is escaped")
    func rendersPlainWords() {
        let help = HelpText("""
        # How <this> works

        A paragraph
        on two lines.

        ## Steps & checks
        - first <b>
        - second
        Then a paragraph after the list.
        """)
        #expect(help.title == "How <this> works")
        #expect(help.html.rendered == "<p>A paragraph on two lines.</p><h2>Steps &amp; checks</h2><ul><li>first &lt;b&gt;</li><li>second</li></ul><p>Then a paragraph after the list.</p>")
    }
}
