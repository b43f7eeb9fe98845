import CareKit

// MARK: - Help

extension FallsApp {
    /// The falls log's help in plain words (Sources/Data/falls-help.txt), shown at /falls/help while
    /// the plugin is loaded.
    static let help = HelpText(PackageResources.falls_help_txt)
    /// A question-mark icon for the link to it (Sources/Data/help.svg), served under the plugin's id.
    static let helpIcon = PluginImage(name: "help.svg", bytes: PackageResources.help_svg)

    /// The link to the help, with its icon (the icon is decoration: the words say where it goes).
    var helpLink: HTML {
        "<p class=\"falls-help-link\"><a href=\"/falls/help\"><img src=\"\(FallsApp.helpIcon.href(pluginID: context.manifest.id))\" alt=\"\" width=\"24\" height=\"24\"> \(FallsApp.help.title)</a></p>"
    }

    func helpPage(_ request: Request) throws -> Response {
        .page(Page(title: FallsApp.help.title, breadcrumbs: [("Falls", "/falls")], containsPersonalData: false,
                   body: "<div class=\"falls-help\">\(FallsApp.help.html)</div>"))
    }
}
