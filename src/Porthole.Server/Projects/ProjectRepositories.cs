using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Porthole.Server.Projects;

public sealed record ResolvedCommit(string Sha, string? Ref);

/// <summary>
/// A bare mirror of each project's repository under <c>DATA/repos</c>, fetched on each trigger, from which
/// refs are resolved and the config is read at the pipeline's commit.
/// </summary>
public sealed partial class ProjectRepositories(IOptions<PortholeOptions> options, RepositoryPolicy policy, ILogger<ProjectRepositories> logger)
{
    private const string LocalUnreachable = "git cannot read it as a repository on the server (a server admin finds git's message in the server's log).";

    private readonly SemaphoreSlim _lock = new(1, 1);

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

            var fetch = await Git.RunAsync(null, ["--git-dir", mirror, "fetch", "--prune", "--quiet", "--force", "origin"], ct);
            return fetch.Succeeded ? null : Unreachable("fetch", repository, fetch);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Resolves a ref (branch, tag) or a commit; null ref and commit mean the default branch.</summary>
    public async Task<ResolvedCommit?> ResolveAsync(long projectId, string? gitRef, string? commit, CancellationToken ct)
    {
        var mirror = MirrorPath(projectId);
        if (commit is not null)
        {
            var result = await Git.RunAsync(null, ["--git-dir", mirror, "rev-parse", "--verify", "--quiet", "--end-of-options", commit + "^{commit}"], ct);
            return result.Succeeded ? new ResolvedCommit(result.Output.Trim(), gitRef) : null;
        }

        if (gitRef is null)
        {
            var head = await Git.RunAsync(null, ["--git-dir", mirror, "symbolic-ref", "--short", "HEAD"], ct);
            gitRef = head.Succeeded ? head.Output.Trim() : "main";
        }

        foreach (var candidate in (string[])[$"refs/heads/{gitRef}", $"refs/tags/{gitRef}", gitRef])
        {
            var result = await Git.RunAsync(null, ["--git-dir", mirror, "rev-parse", "--verify", "--quiet", "--end-of-options", candidate + "^{commit}"], ct);
            if (result.Succeeded)
            {
                return new ResolvedCommit(result.Output.Trim(), gitRef);
            }
        }

        return null;
    }

    /// <summary>The repository's default branch: the mirror's HEAD (as the remote named it when fetched); null when it has none.</summary>
    public async Task<string?> DefaultBranchAsync(long projectId, CancellationToken ct)
    {
        var head = await Git.RunAsync(null, ["--git-dir", MirrorPath(projectId), "symbolic-ref", "--quiet", "--short", "HEAD"], ct);
        var branch = head.Output.Trim();
        return head.Succeeded && branch.Length > 0 ? branch : null;
    }

    public Task<byte[]?> ReadFileAsync(long projectId, string commit, string path, CancellationToken ct) =>
        Git.ShowFileAsync(MirrorPath(projectId), commit, path, ct);

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
