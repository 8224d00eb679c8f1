using System.Diagnostics;
using System.Globalization;
using Porthole.Execution.Docker;

namespace Porthole.Bench;

/// <summary>A container of a Porthole docker node, as it was when the engine created it.</summary>
/// <param name="Id">The container's full id; its host name is the first 12 characters.</param>
/// <param name="Tag">Its node label (<see cref="ContainerLabels.Node"/>): the node's other containers and its network carry it too.</param>
/// <param name="Sources">Its bind mounts' folders on the host: a node's scratch folder is in its server's data folder.</param>
public sealed record NodeContainer(string Id, string Tag, IReadOnlyList<string> Sources)
{
    public string ShortId => Id[..12];

    public bool MountsFrom(string folder) =>
        Sources.Any(source => source.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal));
}

/// <summary>
/// Follows the engine's events (<c>docker events</c>) and records every container created with a node label, on this
/// machine where other servers (tests) make nodes too; then says which of them, or of their networks, still exist.
/// </summary>
public sealed class ContainerWatch : IAsyncDisposable
{
    private readonly Process _events;
    private readonly Task _reading;
    private readonly List<NodeContainer> _created = [];
    private readonly Lock _gate = new();

    private ContainerWatch(Process events)
    {
        _events = events;
        _reading = ReadAsync();
    }

    /// <summary>Starts following; containers created from a second before are included, so none is missed while docker events starts.</summary>
    public static ContainerWatch Start()
    {
        var since = (TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 1).ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["events", "--since", since, "--filter", "type=container", "--filter", "event=create", "--filter", $"label={ContainerLabels.Node}", "--format", "{{.Actor.ID}}"])
        {
            start.ArgumentList.Add(argument);
        }

        var events = Process.Start(start)!;
        _ = events.StandardError.ReadToEndAsync();
        return new ContainerWatch(events);
    }

    /// <summary>The containers created so far whose bind mounts come from <paramref name="folder"/>, oldest first.</summary>
    public IReadOnlyList<NodeContainer> From(string folder)
    {
        lock (_gate)
        {
            return [.. _created.Where(c => c.MountsFrom(folder))];
        }
    }

    /// <summary>Waits until <paramref name="count"/> containers from <paramref name="folder"/> have been seen, and returns them.</summary>
    public async Task<IReadOnlyList<NodeContainer>> WaitForAsync(string folder, int count)
    {
        var watch = Stopwatch.StartNew();
        while (From(folder) is var seen && seen.Count < count)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"docker events showed {seen.Count} containers with bind mounts from {folder} in 30 s, not {count}: the docker executor made fewer, or docker events stopped.");
            }

            await Task.Delay(10);
        }

        return From(folder);
    }

    /// <summary>The containers and networks the engine still has with one of these containers' node labels.</summary>
    public static List<string> LeftBehind(IEnumerable<NodeContainer> containers)
    {
        var left = new List<string>();
        foreach (var tag in containers.Select(c => c.Tag).Distinct(StringComparer.Ordinal))
        {
            var filter = $"label={ContainerLabels.Node}={tag}";
            var ids = SshTools.Run("docker", ["ps", "-a", "-q", "--filter", filter]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var networks = SshTools.Run("docker", ["network", "ls", "-q", "--filter", filter]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            left.AddRange(ids.Select(id => $"container {id} ({tag})"));
            left.AddRange(networks.Select(id => $"network {id} ({tag})"));
        }

        return left;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_events.HasExited)
        {
            _events.Kill();
        }

        await _events.WaitForExitAsync();
        await _reading;
        _events.Dispose();
    }

    private async Task ReadAsync()
    {
        while (await _events.StandardOutput.ReadLineAsync() is { Length: > 0 } id)
        {
            // Inspected at once: the container lives as long as its node, far longer than this takes.
            var inspect = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["inspect", "--format", $"{{{{index .Config.Labels \"{ContainerLabels.Node}\"}}}}{{{{range .Mounts}}}}\n{{{{.Source}}}}{{{{end}}}}", id])
            {
                inspect.ArgumentList.Add(argument);
            }

            using var process = Process.Start(inspect)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (process.ExitCode == 0 && lines.Length > 0)
            {
                lock (_gate)
                {
                    _created.Add(new NodeContainer(id, lines[0], lines[1..]));
                }
            }
        }
    }
}
