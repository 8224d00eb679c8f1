using Porthole.Server.Projects;

namespace Porthole.Server.Pipelines;

/// <summary>
/// Where a trigger builds: the commit, the ref as named, and whether it is a branch or a tag (§A1.6: a tag pipeline has
/// no branch). <see cref="IsBranchHead"/>: the commit is the branch's newest, so its config decides the branch's schedules.
/// </summary>
public sealed record TriggerTarget(string Sha, string? Ref, string? Branch, string? Tag, bool IsBranchHead);

/// <summary>
/// Resolves a trigger's ref, tag, branch or commit in the project's mirror. A ref is a branch when <c>refs/heads/R</c>
/// exists, else a tag when <c>refs/tags/R</c> does (git's own order); a tag named with <c>--tag</c> is <c>refs/tags/T</c> only.
/// </summary>
public sealed class TriggerRefs(MirrorReader mirror, string? defaultBranch)
{
    /// <summary>Null when what the trigger names is not in the repository.</summary>
    public async Task<TriggerTarget?> ResolveAsync(TriggerInput input, CancellationToken ct)
    {
        if (input.Tag is { } tag)
        {
            var sha = input.Commit is { } commit ? await CommitAsync(commit, ct) : await FullRefAsync($"refs/tags/{tag}", ct);
            return sha is null ? null : new TriggerTarget(sha, tag, null, tag, false);
        }

        if (input.Branch is { } branch)
        {
            var head = await FullRefAsync($"refs/heads/{branch}", ct);
            var sha = input.Commit is { } commit && !string.Equals(commit, head, StringComparison.OrdinalIgnoreCase) ? await CommitAsync(commit, ct) : head;
            return sha is null ? null : new TriggerTarget(sha, branch, branch, null, sha == head);
        }

        if (input.Ref is { } gitRef)
        {
            var head = await FullRefAsync($"refs/heads/{gitRef}", ct);
            var tagged = head is null ? await FullRefAsync($"refs/tags/{gitRef}", ct) : null;
            var sha = input.Commit is { } commit
                ? await CommitAsync(commit, ct)
                : head ?? tagged ?? await mirror.CommitAsync(gitRef, ct);
            return sha switch
            {
                null => null,
                _ when head is not null => new TriggerTarget(sha, gitRef, gitRef, null, sha == head),
                _ when tagged is not null => new TriggerTarget(sha, gitRef, null, gitRef, false),
                _ => new TriggerTarget(sha, gitRef, null, null, false),
            };
        }

        if (input.Commit is { } bare)
        {
            var sha = await CommitAsync(bare, ct);
            return sha is null ? null : new TriggerTarget(sha, null, null, null, false);
        }

        // No ref: the default branch (as git would, a tag or other ref of its name when there is no such branch).
        var fallbackRef = defaultBranch ?? "main";
        var branchHead = await FullRefAsync($"refs/heads/{fallbackRef}", ct);
        var fallback = branchHead ?? await FullRefAsync($"refs/tags/{fallbackRef}", ct) ?? await mirror.CommitAsync(fallbackRef, ct);
        return fallback switch
        {
            null => null,
            _ when branchHead is not null => new TriggerTarget(fallback, fallbackRef, fallbackRef, null, true),
            _ => new TriggerTarget(fallback, fallbackRef, null, null, false),
        };
    }

    /// <summary>A commit named by its id (or a prefix of it); null when the mirror has no such commit.</summary>
    private Task<string?> CommitAsync(string commit, CancellationToken ct) => mirror.CommitAsync(commit, ct);

    /// <summary>The commit of a full ref name (<c>refs/heads/B</c>, <c>refs/tags/T</c>), or null when there is none.</summary>
    private Task<string?> FullRefAsync(string fullRef, CancellationToken ct) => mirror.CommitAsync(fullRef, ct);
}
