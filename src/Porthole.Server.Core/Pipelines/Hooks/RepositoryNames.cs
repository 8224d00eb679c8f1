namespace Porthole.Server.Pipelines;

/// <summary>
/// Compares the repository a GitHub push names with a project's repository. They are the same when one of the push's
/// addresses (<c>clone_url</c>, <c>html_url</c>, <c>ssh_url</c>, <c>git_url</c>, <c>svn_url</c>) is the project's once both
/// are written alike (no scheme, user, trailing <c>/</c> or <c>.git</c>; <c>git@host:path</c> as <c>host/path</c>; host and
/// path without regard to case, as GitHub's are), or when the push's <c>full_name</c> (<c>owner/name</c>) is the last two
/// parts of the project's repository: a mirror, or a local path such as <c>/srv/git/owner/name.git</c>.
/// </summary>
public static class RepositoryNames
{
    public static bool SameRepository(string projectRepository, IEnumerable<string?> pushAddresses, string? fullName)
    {
        var project = Normalize(projectRepository);
        if (project.Length == 0)
        {
            return false;
        }

        if (pushAddresses.Any(a => a is not null && string.Equals(Normalize(a), project, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (fullName is null || fullName.Count(c => c == '/') != 1 || fullName.StartsWith('/') || fullName.EndsWith('/'))
        {
            return false;
        }

        var parts = project.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && string.Equals($"{parts[^2]}/{parts[^1]}", fullName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The host of a repository address (<c>https://host/…</c>, <c>ssh://user@host/…</c>, <c>user@host:path</c>), lower case; null for a local path.</summary>
    public static string? Host(string repository)
    {
        var normalized = Normalize(repository);
        return normalized.StartsWith('/') || normalized.Length == 0 ? null : normalized.Split('/')[0].ToLowerInvariant();
    }

    /// <summary><c>host/path</c> for an address, the path itself for a local repository; no trailing <c>/</c> or <c>.git</c>.</summary>
    private static string Normalize(string repository)
    {
        var text = repository.Trim();
        string result;
        if (text.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            result = uri.IsFile ? uri.LocalPath : $"{uri.Host.ToLowerInvariant()}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}{Uri.UnescapeDataString(uri.AbsolutePath)}";
        }
        else if (!text.StartsWith('/') && text.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && text.IndexOf('/', StringComparison.Ordinal) is var slash && (slash < 0 || slash > colon))
        {
            // scp-like: [user@]host:path
            var host = text[..colon];
            var at = host.LastIndexOf('@');
            result = $"{host[(at + 1)..].ToLowerInvariant()}/{text[(colon + 1)..].TrimStart('/')}";
        }
        else
        {
            result = text;
        }

        result = result.TrimEnd('/');
        if (result.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            result = result[..^4];
        }

        return result.TrimEnd('/');
    }
}
