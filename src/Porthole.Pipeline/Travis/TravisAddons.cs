using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>What a job's <c>addons:</c> ask for: service versions and the apt packages installed before before_install.</summary>
/// <param name="ServiceVersions">addons.postgresql, addons.mariadb, … by the service's name.</param>
/// <param name="Apt">The step that installs addons.apt's packages (as root, in the job's container); null when there are none.</param>
internal sealed record TravisAddonSettings(IReadOnlyDictionary<string, string> ServiceVersions, StepPlan? Apt)
{
    public static TravisAddonSettings None { get; } = new(new Dictionary<string, string>(), null);
}

/// <summary>
/// A job's <c>addons:</c> (dialects.md §B12): <c>apt</c> and the legacy <c>apt_packages</c> become a step that installs
/// the packages as root in the job's container (<see cref="TravisApt"/>); <c>postgresql</c> and <c>mariadb</c> pick the
/// versions of those services; the addons that set up something of Travis's own machines are accepted with a warning
/// saying what to do instead; any other key is an error.
/// </summary>
internal static partial class TravisAddons
{
    /// <summary>The addons that pick a service's version (TravisServices reads them).</summary>
    private static readonly string[] ServiceAddons = ["postgresql", "mariadb"];

    /// <summary>Travis's addons that have no effect here, with what to do instead (TY <c>schema/def/addons.rb</c>).</summary>
    private static readonly Dictionary<string, string> NoEffect = new(StringComparer.Ordinal)
    {
        ["chrome"] = "no browser is installed for the job: install Chrome in before_install (as apt packages with their source) or use an image that has it",
        ["firefox"] = "no browser is installed for the job: install Firefox in before_install or use an image that has it",
        ["hosts"] = "the names are not added to /etc/hosts: add them in before_install (the job's container), or reach the services on localhost",
        ["hostname"] = "the job's hostname is the container's: set what needs another name in before_install",
        ["ssh_known_hosts"] = "no host keys are added: add them in before_install with ssh-keyscan HOST >> ~/.ssh/known_hosts",
        ["homebrew"] = "Homebrew is for macOS jobs, which no runner here serves: install the packages with apt (addons.apt) on Linux",
        ["snaps"] = "snapd does not run in a job's container: install the tools in before_install another way (apt, a download)",
        ["pkg"] = "FreeBSD packages need a FreeBSD machine, which no runner here serves",
        ["code_climate"] = "nothing is reported to Code Climate: run its test reporter in after_success with its token as a secure variable",
        ["sonarcloud"] = "the SonarCloud scanner is not set up: run sonar-scanner in script or after_success with its token as a secure variable",
        ["sonarqube"] = "the SonarQube scanner is not set up: run sonar-scanner in script or after_success with its token as a secure variable",
        ["sauce_connect"] = "no Sauce Connect tunnel is opened: start it in before_script, with its credentials as secure variables",
        ["browserstack"] = "no BrowserStack tunnel is opened: start BrowserStackLocal in before_script, with its key as a secure variable",
        ["coverity_scan"] = "no Coverity scan is run: run Coverity's build tool in script, with its token as a secure variable",
        ["jwt"] = "no tokens are made: give the values as secure variables (env.global)",
        ["artifacts"] = "nothing is uploaded to S3 by Porthole: upload in after_script with the provider's client, credentials as secure variables",
        ["srcclr"] = "no SourceClear scan is run: run its agent in after_success, with its token as a secure variable",
        ["rethinkdb"] = "RethinkDB is not started: run it in before_install (a package or a download) and start it in the background",
    };

    /// <summary>Reports what is wrong with an <c>addons:</c> value where it is written (root or include entry).</summary>
    public static void Check(Node value, ErrorList errors) => ReadAll(value, errors, warn: true);

    /// <summary>The job's addons; errors were reported by <see cref="Check"/>.</summary>
    public static TravisAddonSettings Read(Node? addons) =>
        addons is null or ScalarNode { IsNull: true } ? TravisAddonSettings.None : ReadAll(addons, new ErrorList(".travis.yml"), warn: false);

    private static TravisAddonSettings ReadAll(Node value, ErrorList errors, bool warn)
    {
        if (value is ScalarNode { IsNull: true })
        {
            return TravisAddonSettings.None;
        }

        if (value is not MapNode map)
        {
            errors.Add(value, $"addons must be a map (apt, postgresql, …), found {value.Describe()}");
            return TravisAddonSettings.None;
        }

        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        var apt = new AptRequest();
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "apt":
                    TravisApt.Read(entry.Value, apt, errors);
                    break;
                case "apt_packages":
                    // The legacy spelling of apt.packages (§B12).
                    TravisApt.ReadPackages(entry.Value, "addons.apt_packages", apt, errors);
                    break;
                case var name when ServiceAddons.Contains(name, StringComparer.Ordinal):
                    if (Version(entry, errors) is { } version)
                    {
                        versions[name] = version;
                    }

                    break;
                case var name when NoEffect.TryGetValue(name, out var instead):
                    if (warn)
                    {
                        errors.Warn(entry.Key, $"addons.{name} has no effect here: {instead}");
                    }

                    break;
                default:
                    errors.Add(entry.Key, $"addons.{entry.Name} is not an addon Travis has (apt, apt_packages, postgresql, mariadb, chrome, firefox, hosts, ssh_known_hosts, …)");
                    break;
            }
        }

        return new TravisAddonSettings(versions, TravisApt.Step(apt));
    }

    /// <summary><c>addons.postgresql: "9.6"</c>: a version word, which becomes part of the service's image tag.</summary>
    private static string? Version(MapEntry entry, ErrorList errors)
    {
        if (entry.Value is ScalarNode { IsNull: false } scalar && VersionWord().IsMatch(scalar.Value))
        {
            return scalar.Value;
        }

        var found = entry.Value is ScalarNode { IsNull: false } text ? $"'{text.Value}'" : entry.Value.Describe();
        errors.Add(entry.Value, $"addons.{entry.Name} must be a version (for example \"9.6\"), found {found}");
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex VersionWord();
}
