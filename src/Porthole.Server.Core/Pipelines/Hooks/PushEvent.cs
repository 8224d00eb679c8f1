using System.Text.Json;
using System.Text.RegularExpressions;

namespace Porthole.Server.Pipelines;

/// <summary>
/// What Porthole reads of GitHub's <c>push</c> payload: <c>ref</c> (<c>refs/heads/B</c> or <c>refs/tags/T</c>),
/// <c>after</c> (the commit pushed), <c>deleted</c>, and the repository's addresses and <c>full_name</c>.
/// <see cref="Problem"/> says what is missing or malformed.
/// </summary>
public sealed partial record PushEvent(string Ref, string? After, bool Deleted, IReadOnlyList<string?> Addresses, string? FullName)
{
    private const string Heads = "refs/heads/";
    private const string Tags = "refs/tags/";

    public string? Problem { get; init; }

    public string? Branch => Ref.StartsWith(Heads, StringComparison.Ordinal) ? Ref[Heads.Length..] : null;

    public string? Tag => Ref.StartsWith(Tags, StringComparison.Ordinal) ? Ref[Tags.Length..] : null;

    public static PushEvent Read(JsonElement payload)
    {
        var gitRef = Text(payload, "ref");
        var after = Text(payload, "after");
        var deleted = payload.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True;
        var repository = payload.TryGetProperty("repository", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
        string?[] addresses = repository.ValueKind == JsonValueKind.Object
            ? [Text(repository, "clone_url"), Text(repository, "html_url"), Text(repository, "ssh_url"), Text(repository, "git_url"), Text(repository, "svn_url")]
            : [];
        var fullName = repository.ValueKind == JsonValueKind.Object ? Text(repository, "full_name") : null;
        var push = new PushEvent(gitRef ?? "", after, deleted, addresses, fullName);
        return push with { Problem = ProblemOf(push, repository.ValueKind == JsonValueKind.Object) };
    }

    private static string? ProblemOf(PushEvent push, bool hasRepository)
    {
        if (push.Ref.Length is 0 or > 255 || push.Ref.Any(char.IsControl))
        {
            return "A push payload needs its 'ref' (refs/heads/BRANCH or refs/tags/TAG).";
        }

        if (!hasRepository)
        {
            return "A push payload needs its 'repository' object.";
        }

        if ((push.Branch ?? push.Tag) is { } name && (name.Length == 0 || name.StartsWith('-')))
        {
            return $"'{push.Ref}' names no branch or tag that can be built.";
        }

        if (!push.Deleted && (push.After is null || !CommitId().IsMatch(push.After)))
        {
            return "A push payload needs its 'after' commit id (40 or 64 hexadecimal digits).";
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")]
    private static partial Regex CommitId();
}
