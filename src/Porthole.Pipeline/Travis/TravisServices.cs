using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A job's <c>services:</c> (dialects.md §B12) as service containers beside the job's own, reachable on localhost and
/// by the service's name. Each service's image is <see cref="TravisImages.ForService"/>'s, which a runner's image table
/// may replace (<see cref="ImageChoice"/>, kind service). <c>xvfb</c> and <c>docker</c> are not containers: they are
/// warnings saying what to do instead, and add none.
/// </summary>
internal static class TravisServices
{
    private static readonly IReadOnlyDictionary<string, string> NoVersions = new Dictionary<string, string>();

    /// <summary>Reports what is wrong with a <c>services:</c> value where it is written (root or include entry).</summary>
    public static void Check(Node value, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode { IsNull: true }:
                break;
            case ScalarNode scalar:
                CheckName(scalar, errors);
                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    if (item is ScalarNode { IsNull: false } name)
                    {
                        CheckName(name, errors);
                    }
                    else
                    {
                        errors.Add(item, $"each item of services must be a service's name (redis, postgresql, …), found {item.Describe()}");
                    }
                }

                break;
            default:
                errors.Add(value, $"services must be a service's name or a list of them (services: [redis, postgresql]), found {value.Describe()}");
                break;
        }
    }

    /// <summary>
    /// The job's service containers in the order written, each service once, their versions from
    /// <paramref name="addons"/> (<c>addons.postgresql</c>, <c>addons.mariadb</c>, which start their database even when
    /// <c>services</c> does not name it, as on Travis); what <see cref="Check"/> reported is left out.
    /// A version that cannot name an image is planned with an empty image and the reason, for the runner's table to serve or refuse.
    /// </summary>
    public static IReadOnlyList<ContainerSpec> Read(Node? services, TravisAddonSettings addons)
    {
        IEnumerable<Node> items = services switch
        {
            ScalarNode { IsNull: false } scalar => [scalar],
            ListNode list => list.Items,
            _ => [],
        };
        var containers = new List<ContainerSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items.OfType<ScalarNode>().Where(item => !item.IsNull))
        {
            var service = TravisImages.ForService(item.Value, addons.ServiceVersions, out var reason);
            if (service is null)
            {
                // Known only without the addon's version: a version no image can be tagged with.
                if (Canonical(item.Value, addons) is { } name && TravisImages.ForService(name, NoVersions, out _) is { } known && seen.Add(name))
                {
                    containers.Add(new ContainerSpec("")
                    {
                        Name = name,
                        Environment = known.Environment,
                        Choice = new ImageChoice(ImageChoiceKind.Service, name, Version(name, addons)) { Unavailable = reason },
                    });
                }

                continue;
            }

            if (seen.Add(service.Name))
            {
                containers.Add(new ContainerSpec(service.Image)
                {
                    Name = service.Name,
                    Environment = service.Environment,
                    Choice = new ImageChoice(ImageChoiceKind.Service, service.Name, Version(service.Name, addons)),
                });
            }
        }

        // TB addons/postgresql.rb, mariadb.rb: a version in addons starts that database even when services does not name it.
        foreach (var implied in new[] { "postgresql", "mariadb" })
        {
            if (addons.ServiceVersions.ContainsKey(implied) && !seen.Contains(implied) &&
                TravisImages.ForService(implied, addons.ServiceVersions, out _) is { } service && seen.Add(service.Name))
            {
                containers.Add(new ContainerSpec(service.Image)
                {
                    Name = service.Name,
                    Environment = service.Environment,
                    Choice = new ImageChoice(ImageChoiceKind.Service, service.Name, Version(service.Name, addons)),
                });
            }
        }

        return containers;
    }

    private static void CheckName(ScalarNode name, ErrorList errors)
    {
        if (TravisImages.ForService(name.Value, NoVersions, out var reason) is not null)
        {
            return;
        }

        switch (name.Value.Trim().ToLowerInvariant())
        {
            case "xvfb" or "docker":
                errors.Warn(name, $"services: {name.Value} adds no container: {reason}");
                break;
            default:
                errors.Add(name, $"services: {reason}");
                break;
        }
    }

    /// <summary>The service's name as its versions are keyed: mysql is mariadb when addons.mariadb gives a version.</summary>
    private static string? Canonical(string written, TravisAddonSettings addons) =>
        TravisImages.ForService(written, NoVersions, out _)?.Name is { } name && name == "mysql" && addons.ServiceVersions.ContainsKey("mariadb")
            ? "mariadb"
            : TravisImages.ForService(written, NoVersions, out _)?.Name;

    private static string? Version(string service, TravisAddonSettings addons) =>
        addons.ServiceVersions.TryGetValue(service, out var version) && !string.IsNullOrWhiteSpace(version) ? version.Trim() : null;
}
