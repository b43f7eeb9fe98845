package import CareKit
import Foundation

/// The frame every page sits in: header with the home's name and the user, navigation contributed
/// by plugins (only what the role may use), the page, and a footer. Also the error pages.
struct Shell: Sendable {
    let homeName: String
    let version: String
    /// Where each stylesheet is (`/assets/app.css`, a plugin's `/assets/falls-log/falls-log.css?v=…`).
    let stylesheets: [String]
    var scripts: [String] = []

    struct Viewer {
        let principal: Principal
        let csrfToken: String
        let navigation: [NavigationEntry]
    }

    func render(_ page: Page, viewer: Viewer?, currentPath: String, flash: String?, requestID: String) -> String {
        let links = stylesheets.map { href -> HTML in "<link rel=\"stylesheet\" href=\"\(href)\">" }
            + scripts.map { script -> HTML in "<script src=\"/assets/\(script)\" defer></script>" }
        var header: HTML = "<a class=\"home-name\" href=\"/\">\(homeName)</a>"
        var nav: HTML = ""
        var masthead: HTML = ""
        if let viewer {
            // On paper the header is left out: the sheet still says which home it came from, and when.
            masthead = """
            <p class="print-only print-masthead"><strong>\(homeName)</strong> · Printed \(HomeTime.display(Date())) \
            by \(viewer.principal.displayName)</p>
            """
            header += """
            <button type="button" class="menu-toggle button button-secondary button-small" aria-expanded="false" aria-controls="site-nav" hidden>Menu</button>\
            <div class="user"><span class="user-name">\(viewer.principal.displayName)</span> \
            <span class="user-role">\(viewer.principal.role.title)</span>\
            <form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="\(viewer.csrfToken)">\
            <button type="submit" class="button button-secondary button-small">Log out</button></form></div>
            """
            var items: [HTML] = [navItem(title: "Dashboard", path: "/", current: currentPath)]
            items += viewer.navigation.map { navItem(title: $0.title, path: $0.path, current: currentPath) }
            // A long list (the manager's) is laid out in even columns where it cannot be one row.
            let layout: HTML = items.count > 6 ? " site-nav-long" : ""
            nav = "<nav class=\"site-nav\(layout)\" id=\"site-nav\" aria-label=\"Main\"><ul>\(items)</ul></nav>"
        }
        var crumbs: HTML = ""
        if !page.breadcrumbs.isEmpty {
            let items = page.breadcrumbs.map { crumb -> HTML in "<li><a href=\"\(crumb.path)\">\(crumb.title)</a></li>" }
            crumbs = "<nav class=\"breadcrumbs\" aria-label=\"Breadcrumb\"><ol>\(items)</ol></nav>"
        }
        // A form sent back with errors says so first: in the title (read out first by a screen reader,
        // shown on the tab) as well as in the summary at the top, which takes the focus.
        let hasErrors = page.body.rendered.contains("class=\"error-summary\"")
        let title = hasErrors && !page.title.hasPrefix("Error: ") ? "Error: " + page.title : page.title
        let flashHTML: HTML = flash.map { "<div class=\"flash\" role=\"status\">\($0)</div>" } ?? .empty
        let accountLink: HTML = viewer == nil ? .empty : " · <a href=\"/account\">Your account</a>"
        let document: HTML = """
        <!doctype html>
        <html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        <title>\(title) · \(homeName)</title>\(links)</head>
        <body><a class="skip-link" href="#main">Skip to main content</a>
        <header class="site-header"><div class="header-inner">\(header)</div>\(nav)</header>
        <main id="main" class="main" tabindex="-1">\(masthead)\(crumbs)\(flashHTML)<h1>\(page.title)</h1>
        \(page.body)
        </main>
        <footer class="site-footer"><p>carehome \(version)\(accountLink) · <span class="request-id">Reference \(requestID)</span></p></footer>
        </body></html>
        """
        return document.rendered
    }

    private func navItem(title: String, path: String, current: String) -> HTML {
        let isCurrent = path == "/" ? current == "/" : (current == path || current.hasPrefix(path + "/"))
        let aria: HTML = isCurrent ? " aria-current=\"page\"" : ""
        return "<li><a href=\"\(path)\"\(aria)>\(title)</a></li>"
    }

    /// A plain-English error page.
    static func errorPage(status: Int, message: String, requestID: String) -> Page {
        let title: String
        var body: HTML = "<p class=\"lead\">\(message)</p>"
        switch status {
        case 403: title = "You cannot open this page"
        case 404: title = "Page not found"
        case 405: title = "That action is not available here"
        case 409: title = "Someone else changed this first"
        case 413: title = "That upload is too large"
        case 503: title = "Not available right now"
        case 400..<500: title = "That request could not be used"
        default:
            title = "Something went wrong"
            body += "<p>Nothing you saved before this was lost. If it happens again, tell the person who looks after the appliance and give them this reference: <strong>\(requestID)</strong>.</p>"
        }
        body += "<p><a href=\"/\">Go to the dashboard</a></p>"
        return Page(title: title, containsPersonalData: false, body: body)
    }
}
