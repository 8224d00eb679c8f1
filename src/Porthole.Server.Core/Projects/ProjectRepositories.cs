using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Porthole.Server.Data;

namespace Porthole.Server.Projects;

/// <summary>
/// A bare mirror of each project's repository under <c>DATA/repos</c>, fetched on each trigger, from which
/// refs are resolved and the config is read at the pipeline's commit.
/// </summary>
public sealed partial class ProjectRepositories(
    IOptions<PortholeOptions> options, RepositoryPolicy policy, ServerDatabase database, ILogger<ProjectRepositories> logger)
{
    private const string LocalUnreachable = "git cannot read it as a repository on the server (a server admin finds git's message in the server's log).";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<long> _fetched = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<long, byte> _waitingUpkeep = new();

    public string MirrorPath(long projectId) => Path.GetFullPath(Path.Combine(options.Value.RepositoryDirectory, $"{projectId}.git"));

    /// <summary>
    /// Fetches the repository; the error says why it cannot be reached. For a local path, git's own words (which would
    /// say what is or is not on the server's disk) go to the server's log only.
    /// </summary>
    public async Task<string?> RefreshAsync(long projectId, string repository, CancellationToken ct)
    {
        var refused = Refused(repository);
        if (refused is not null)
        {
            return refused;
        }

        var mirror = MirrorPath(projectId);
        await _lock.WaitAsync(ct);
        try
        {
            // And across the servers that share the data folder (decision 19).
            using var across = await database.LockProjectMirrorAsync(projectId, ct);
            if (!Directory.Exists(mirror))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(mirror)!);
                var clone = await Git.RunAsync(null, ["clone", "--mirror", "--quiet", "--", repository, mirror], ct);
                if (!clone.Succeeded)
                {
                    TryDelete(mirror);
                    return Unreachable("clone", repository, clone);
                }

                return null;
            }

            // git's upkeep after a fetch (a dozen milliseconds at best) comes after the pipeline starts: MirrorUpkeep.
            var fetch = await Git.RunAsync(null, ["--git-dir", mirror, "fetch", "--prune", "--quiet", "--force", "--no-auto-maintenance", "origin"], ct);
            if (!fetch.Succeeded)
            {
                return Unreachable("fetch", repository, fetch);
            }

            if (_waitingUpkeep.TryAdd(projectId, 0))
            {
                _fetched.Writer.TryWrite(projectId);
            }

            return null;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A reader of the mirror's refs and files for one trigger, after <see cref="RefreshAsync"/>.</summary>
    public MirrorReader OpenReader(long projectId) => MirrorReader.Open(MirrorPath(projectId));

    /// <summary>
    /// The repository's default branch: the branch the mirror's HEAD names (as the remote named it when cloned); null when
    /// it names none. A mirror's HEAD is a file of one line, <c>ref: refs/heads/B</c>.
    /// </summary>
    public string? DefaultBranch(long projectId)
    {
        const string Prefix = "ref: refs/heads/";
        string head;
        try
        {
            head = File.ReadAllText(Path.Combine(MirrorPath(projectId), "HEAD")).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return head.StartsWith(Prefix, StringComparison.Ordinal) && head.Length > Prefix.Length && !head.Any(char.IsControl) ? head[Prefix.Length..] : null;
    }

    /// <summary>
    /// The mirrors fetched since their last upkeep (<see cref="UpkeepAsync"/>), which <see cref="MirrorUpkeep"/> does
    /// after the trigger, not during it.
    /// </summary>
    public ChannelReader<long> Fetched => _fetched.Reader;

    /// <summary>
    /// What git's fetch would do after it, but later: <c>git maintenance run --auto</c> (packs loose objects, packs refs
    /// once git's thresholds are passed), in the foreground so that it ends with the server.
    /// </summary>
    public async Task UpkeepAsync(long projectId, CancellationToken ct)
    {
        _waitingUpkeep.TryRemove(projectId, out _);
        var mirror = MirrorPath(projectId);
        if (Directory.Exists(mirror))
        {
            var result = await Git.RunAsync(null, ["--git-dir", mirror, "-c", "gc.autoDetach=false", "maintenance", "run", "--auto", "--quiet"], ct);
            if (!result.Succeeded)
            {
                LogUpkeepFailed(logger, projectId, Git.FirstLine(result.Error));
            }
        }
    }

    /// <summary>
    /// A repository no one may use now, checked again at each fetch: one stored before today's rules, or a path whose
    /// links have since been pointed into the data folder (the demo's repository, which the server made there, excepted).
    /// </summary>
    private string? Refused(string repository)
    {
        var source = RepositoryPolicy.Classify(repository);
        if (source.Kind == RepositoryKind.Refused)
        {
            return $"the project's repository cannot be fetched: {source.Problem}";
        }

        if (source.Kind == RepositoryKind.Local
            && Path.GetFullPath(source.LocalPath!) != Path.GetFullPath(options.Value.DemoRepositoryDirectory)
            && policy.IsInDataFolder(source.LocalPath!))
        {
            LogRefused(logger, repository);
            return $"cannot fetch '{repository}': {LocalUnreachable}";
        }

        return null;
    }

    private string Unreachable(string verb, string repository, GitResult result)
    {
        if (!RepositoryPolicy.IsLocal(repository))
        {
            return $"cannot {verb} '{repository}': {Git.FirstLine(result.Error)}";
        }

        LogLocalFailed(logger, verb, repository, Git.FirstLine(result.Error));
        return $"cannot {verb} '{repository}': {LocalUnreachable}";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "git could not {Verb} the local repository {Repository}: {Error}")]
    private static partial void LogLocalFailed(ILogger logger, string verb, string repository, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "git's upkeep of project {ProjectId}'s mirror failed: {Error}")]
    private static partial void LogUpkeepFailed(ILogger logger, long projectId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The repository {Repository} leads into the server's data folder; it is not fetched")]
    private static partial void LogRefused(ILogger logger, string repository);

    private static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
