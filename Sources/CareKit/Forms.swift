/// Messages for fields that failed validation, keyed by field name, in the order found.
public struct FormErrors: Sendable, Equatable {
    /// (field, message) pairs.
    public private(set) var items: [(field: String, message: String)] = []

    /// No errors.
    public init() {}

    /// Records a message for a field (the first message per field wins).
    public mutating func add(_ field: String, _ message: String) {
        guard self[field] == nil else { return }
        items.append((field, message))
    }

    /// The message for `field`, if any.
    public subscript(field: String) -> String? { items.first { $0.field == field }?.message }

    /// Whether nothing failed.
    public var isEmpty: Bool { items.isEmpty }

    public static func == (lhs: FormErrors, rhs: FormErrors) -> Bool {
        lhs.items.map(\.field) == rhs.items.map(\.field) && lhs.items.map(\.message) == rhs.items.map(\.message)
    }
}

/// Accessible form building blocks: every field has a visible label, its error beside it (linked
/// with `aria-describedby`), and keeps the value the user typed. Use them for every form so that
/// every plugin looks and behaves the same on a tablet.
public enum Form {
    /// Opens a POST form with the CSRF token and a one-time submission token (which makes a
    /// double-submitted form act once). Close it with `Form.end`.
    public static func start(action: String, request: Request, id: String? = nil) -> HTML {
        opening(action: action, request: request, id: id, encoding: .empty)
    }

    /// Opens a POST form that sends files (multipart), such as a photo or a CSV file, with the same
    /// tokens as `start`. Read the files from `request.form.files`. Close it with `Form.end`.
    public static func startUpload(action: String, request: Request, id: String? = nil) -> HTML {
        opening(action: action, request: request, id: id, encoding: " enctype=\"multipart/form-data\"")
    }

    static func opening(action: String, request: Request, id: String?, encoding: HTML) -> HTML {
        let idAttribute: HTML = id.map { " id=\"\($0)\"" } ?? .empty
        return """
        <form method="post" action="\(action)"\(idAttribute)\(encoding) novalidate>\
        <input type="hidden" name="_csrf" value="\(request.csrfToken)">\
        <input type="hidden" name="_once" value="\(onceToken(request))">
        """
    }

    /// Closes a form.
    public static let end: HTML = "</form>"

    /// The one-time token for a form: the value sent back by a re-rendered form is kept, so
    /// correcting an error does not count as a second submission.
    static func onceToken(_ request: Request) -> String {
        if let sent = request.form.nonEmpty("_once"), sent.count == 32, sent.allSatisfy(\.isHexDigit) { return sent }
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt32, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined()
    }

    /// A summary of every error at the top of the form, each linking to its field. `idPrefix`: for a
    /// form whose fields were given `id: idPrefix + name` (several forms with the same fields on one page).
    public static func errorSummary(_ errors: FormErrors, idPrefix: String = "") -> HTML {
        guard !errors.isEmpty else { return .empty }
        let items = errors.items.map { item -> HTML in "<li><a href=\"#\(fieldID(idPrefix + item.field))\">\(item.message)</a></li>" }
        return """
        <div class="error-summary" role="alert" tabindex="-1" autofocus><h2>There is a problem</h2><ul>\(items)</ul></div>
        """
    }

    /// A single-line input. `type` is `text`, `date`, `time`, `datetime-local`, `number`, `tel`, `email`, `password`.
    /// `id` distinguishes fields of the same name in several forms on one page (default: from the name).
    public static func input(_ name: String, label: String, value: String?, errors: FormErrors, hint: String? = nil,
                             type: String = "text", required: Bool = false, width: String? = nil,
                             autocomplete: String? = nil, inputmode: String? = nil, id customID: String? = nil) -> HTML {
        let id = customID.map(fieldID) ?? fieldID(name)
        let error = errors[name]
        var attributes: HTML = ""
        if required { attributes += " required aria-required=\"true\"" }
        if let autocomplete { attributes += " autocomplete=\"\(autocomplete)\"" }
        if let inputmode { attributes += " inputmode=\"\(inputmode)\"" }
        if let width { attributes += " class=\"width-\(width)\"" }
        if error != nil { attributes += " aria-invalid=\"true\"" }
        let key = customID ?? name
        let described = describedBy(key, hint: hint, error: error)
        return """
        <div class="field\(error == nil ? "" : " field-error")">\
        <label for="\(id)">\(label)\(required ? HTML.requiredMark : .empty)</label>\(hintAndError(key, hint: hint, error: error))\
        <input type="\(type)" id="\(id)" name="\(name)" value="\(value ?? "")"\(described)\(attributes)></div>
        """
    }

    /// A multi-line text box. `id` as for `input`.
    public static func textarea(_ name: String, label: String, value: String?, errors: FormErrors, hint: String? = nil,
                                rows: Int = 4, required: Bool = false, id customID: String? = nil) -> HTML {
        let key = customID ?? name
        let id = fieldID(key)
        let error = errors[name]
        let invalid: HTML = error == nil ? "" : " aria-invalid=\"true\""
        let requiredAttribute: HTML = required ? " required aria-required=\"true\"" : ""
        return """
        <div class="field\(error == nil ? "" : " field-error")">\
        <label for="\(id)">\(label)\(required ? HTML.requiredMark : .empty)</label>\(hintAndError(key, hint: hint, error: error))\
        <textarea id="\(id)" name="\(name)" rows="\(rows)"\(describedBy(key, hint: hint, error: error))\(invalid)\(requiredAttribute)>\(value ?? "")</textarea></div>
        """
    }

    /// A drop-down list. `options` are (value, label); an empty first option is added unless `required` is false and `placeholder` is nil.
    public static func select(_ name: String, label: String, options: [(value: String, label: String)], selected: String?,
                              errors: FormErrors, hint: String? = nil, required: Bool = false, placeholder: String? = "Choose…") -> HTML {
        let id = fieldID(name)
        let error = errors[name]
        var optionsHTML: HTML = placeholder.map { "<option value=\"\">\($0)</option>" } ?? .empty
        for option in options {
            let isSelected: HTML = option.value == selected ? " selected" : ""
            optionsHTML += "<option value=\"\(option.value)\"\(isSelected)>\(option.label)</option>"
        }
        let invalid: HTML = error == nil ? "" : " aria-invalid=\"true\""
        return """
        <div class="field\(error == nil ? "" : " field-error")">\
        <label for="\(id)">\(label)\(required ? HTML.requiredMark : .empty)</label>\(hintAndError(name, hint: hint, error: error))\
        <select id="\(id)" name="\(name)"\(describedBy(name, hint: hint, error: error))\(invalid)>\(optionsHTML)</select></div>
        """
    }

    /// A group of radio buttons with a legend (large touch targets).
    public static func radios(_ name: String, legend: String, options: [(value: String, label: String)], selected: String?,
                              errors: FormErrors, hint: String? = nil, required: Bool = false, inline: Bool = false) -> HTML {
        choiceGroup(name, legend: legend, type: "radio", options: options, selected: selected.map { [$0] } ?? [],
                    errors: errors, hint: hint, required: required, inline: inline, key: name)
    }

    /// A group of checkboxes with a legend; `selected` are the ticked values. `id` as for `input`.
    public static func checkboxes(_ name: String, legend: String, options: [(value: String, label: String)], selected: Set<String>,
                                  errors: FormErrors, hint: String? = nil, id customID: String? = nil) -> HTML {
        choiceGroup(name, legend: legend, type: "checkbox", options: options, selected: Array(selected),
                    errors: errors, hint: hint, required: false, inline: false, key: customID ?? name)
    }

    /// A single checkbox (sent as `on` when ticked).
    public static func checkbox(_ name: String, label: String, checked: Bool, hint: String? = nil) -> HTML {
        let id = fieldID(name)
        let isChecked: HTML = checked ? " checked" : ""
        let hintHTML: HTML = hint.map { "<span class=\"hint\" id=\"\(id)-hint\">\($0)</span>" } ?? .empty
        return """
        <div class="field choice"><input type="checkbox" id="\(id)" name="\(name)" value="on"\(isChecked)>\
        <label for="\(id)">\(label)</label>\(hintHTML)</div>
        """
    }

    /// A button that answers every question in the element `scopeID` with `value` in one tap ("No to
    /// all eight"). Each answer is still its own field, seen ticked and changeable before saving. The
    /// button appears only where the appliance's script runs; without it each question is answered
    /// on its own, so the form works either way.
    public static func answerAllButton(_ label: String, value: String, in scopeID: String) -> HTML {
        "<button type=\"button\" class=\"button button-secondary answer-all\" data-answer-all=\"\(value)\" data-scope=\"\(scopeID)\" hidden>\(label)</button>"
    }

    /// A submit button. `kind` is `primary`, `secondary` or `warning`.
    public static func submit(_ label: String, kind: String = "primary", name: String? = nil, value: String? = nil) -> HTML {
        let nameAttribute: HTML = name.map { " name=\"\($0)\" value=\"\(value ?? "")\"" } ?? .empty
        return "<button type=\"submit\" class=\"button button-\(kind)\"\(nameAttribute)>\(label)</button>"
    }

    /// The HTML id used for a field (error summary links point at it).
    public static func fieldID(_ name: String) -> String {
        "f-" + String(name.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" })
    }

    static func choiceGroup(_ name: String, legend: String, type: String, options: [(value: String, label: String)], selected: [String],
                            errors: FormErrors, hint: String?, required: Bool, inline: Bool, key: String) -> HTML {
        let id = fieldID(key)
        let error = errors[name]
        var items: HTML = ""
        for (index, option) in options.enumerated() {
            let optionID = index == 0 ? id : "\(id)-\(index)"
            let isChecked: HTML = selected.contains(option.value) ? " checked" : ""
            items += """
            <div class="choice"><input type="\(type)" id="\(optionID)" name="\(name)" value="\(option.value)"\(isChecked)>\
            <label for="\(optionID)">\(option.label)</label></div>
            """
        }
        return """
        <div class="field\(error == nil ? "" : " field-error")"><fieldset\(describedBy(key, hint: hint, error: error))>\
        <legend>\(legend)\(required ? HTML.requiredMark : .empty)</legend>\(hintAndError(key, hint: hint, error: error))\
        <div class="choices\(inline ? " inline" : "")">\(items)</div></fieldset></div>
        """
    }

    static func hintAndError(_ name: String, hint: String?, error: String?) -> HTML {
        let id = fieldID(name)
        var html: HTML = ""
        if let hint { html += "<span class=\"hint\" id=\"\(id)-hint\">\(hint)</span>" }
        if let error { html += "<span class=\"error-message\" id=\"\(id)-error\"><span class=\"visually-hidden\">Error: </span>\(error)</span>" }
        return html
    }

    static func describedBy(_ name: String, hint: String?, error: String?) -> HTML {
        let id = fieldID(name)
        var ids = [String]()
        if hint != nil { ids.append("\(id)-hint") }
        if error != nil { ids.append("\(id)-error") }
        return ids.isEmpty ? .empty : " aria-describedby=\"\(ids.joined(separator: " "))\""
    }
}

extension HTML {
    static let requiredMark: HTML = " <span class=\"required\" aria-hidden=\"true\">*</span>"
}
