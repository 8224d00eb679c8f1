using Microsoft.Extensions.Options;

namespace Porthole.Server.Projects;

public sealed record ResolvedCommit(string Sha, string? Ref);

/// <summary>
/// A bare mirror of each project's repository under <c>DATA/repos</c>, fetched on each trigger, from which
/// refs are resolved and the config is read at the pipeline's commit.
/// </summary>
public sealed class ProjectRepositories(IOptions<PortholeOptions> options)
{
    private readonly SemaphoreSlim _lock = new(1, 1);

    public string MirrorPath(long projectId) => Path.GetFullPath(Path.Combine(options.Value.RepositoryDirectory, $"{projectId}.git"));

    /// <summary>Fetches the repository; the error says why it cannot be reached.</summary>
    public async Task<string?> RefreshAsync(long projectId, string repository, CancellationToken ct)
    {
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
                    return $"cannot clone '{repository}': {Git.FirstLine(clone.Error)}";
                }

                return null;
            }

            var fetch = await Git.RunAsync(null, ["--git-dir", mirror, "fetch", "--prune", "--quiet", "--force", "origin"], ct);
            return fetch.Succeeded ? null : $"cannot fetch '{repository}': {Git.FirstLine(fetch.Error)}";
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

    public Task<byte[]?> ReadFileAsync(long projectId, string commit, string path, CancellationToken ct) =>
        Git.ShowFileAsync(MirrorPath(projectId), commit, path, ct);

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
