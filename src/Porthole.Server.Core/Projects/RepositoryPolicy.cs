using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Porthole.Server.Api;

namespace Porthole.Server.Projects;

/// <summary>What a project's repository names, as git would read it: a remote URL, a path on the server, or neither.</summary>
public enum RepositoryKind
{
    Remote,
    Local,
    Refused,
}

/// <summary>A repository as classified: <see cref="LocalPath"/> for a local one (a file:// URL's path), <see cref="Problem"/> for a refused one.</summary>
public sealed record RepositorySource(RepositoryKind Kind, string? LocalPath = null, string? Problem = null);

/// <summary>
/// Who may point Porthole at what. A URL git clones from another machine (https://, http://, ssh://, git://,
/// user@host:path) is anyone's; a path on the server (or a file:// URL) is a server admin's, or anyone's under one of
/// <see cref="PortholeOptions.LocalRepositoryRoots"/>; remote helpers (ext::, fd::, …) run commands and are no one's.
/// The server's data folder is never a repository: it holds the other projects' mirrors and checkouts. A non-admin's
/// refusal of a local path is one sentence whatever the path is, so it tells nothing about the server's files.
/// </summary>
public sealed partial class RepositoryPolicy(IOptions<PortholeOptions> options)
{
    public const string NotAllowedCode = "repository_not_allowed";

    public const string LocalPathNotAllowed =
        "Only server admins may use a local path as a repository (or paths under the folders the server lists in LocalRepositoryRoots); "
        + "give a URL git can clone, such as https://host/owner/repo.git or git@host:owner/repo.git.";

    private const string Schemes = "https://, http://, ssh:// or git:// URL, or user@host:path";

    /// <summary>How many symbolic links one path may go through, as Linux allows.</summary>
    private const int MaxLinks = 40;

    private static readonly string[] RemoteSchemes = ["https", "http", "ssh", "git", "git+ssh", "ssh+git"];

    /// <summary>The names <c>git clone PATH</c> tries for a local PATH, in its order (clone.c, get_repo_path).</summary>
    private static readonly string[] CloneSuffixes = ["/.git", "", ".git/.git", ".git", ".bundle"];

    /// <summary>Why <paramref name="repository"/> may not be a project's repository for this user, or null when it may.</summary>
    public Refusal? Check(string repository, bool isAdmin)
    {
        var source = Classify(repository);
        switch (source.Kind)
        {
            case RepositoryKind.Remote:
                return null;
            case RepositoryKind.Refused:
                return Refusal.BadRequest(NotAllowedCode, source.Problem!);
        }

        var path = source.LocalPath!;
        if (!isAdmin)
        {
            return IsUnderAllowedRoot(path) && !IsInDataFolder(path) ? null : new Refusal((int)HttpStatusCode.Forbidden, NotAllowedCode, LocalPathNotAllowed);
        }

        if (!path.StartsWith('/'))
        {
            return Refusal.BadRequest(NotAllowedCode, "A local repository is read on the server: give its absolute path, such as /srv/git/app.git.");
        }

        return IsInDataFolder(path)
            ? Refusal.BadRequest(NotAllowedCode, $"The server's data folder ({options.Value.DataDirectory}) and everything in it cannot be a project's repository: it holds the other projects' mirrors. Give the repository's own path or URL.")
            : null;
    }

    /// <summary>
    /// Sorts a repository as git would (transport.c, transport_get; connect.c, url_is_local_not_ssh): <c>X::…</c> is a
    /// remote helper, <c>scheme://…</c> a URL, <c>host:path</c> with no '/' before the ':' is ssh, anything else a path.
    /// </summary>
    public static RepositorySource Classify(string repository)
    {
        if (RemoteHelper().IsMatch(repository))
        {
            return new(RepositoryKind.Refused, Problem: $"'{MessageText.Shorten(repository)}' names a git remote helper (like ext:: or fd::, which run commands on the server); Porthole clones only an {Schemes}.");
        }

        var url = SchemeUrl().Match(repository);
        if (url.Success)
        {
            var scheme = url.Groups["scheme"].Value;
            var rest = url.Groups["rest"].Value;
            if (scheme == "file")
            {
                // Only file:///path: a host, or %-escapes git might decode differently from us, are refused outright.
                return rest.StartsWith('/') && !rest.Contains('%', StringComparison.Ordinal)
                    ? new(RepositoryKind.Local, LocalPath: rest)
                    : new(RepositoryKind.Local, LocalPath: repository);
            }

            if (!RemoteSchemes.Contains(scheme, StringComparer.Ordinal))
            {
                return new(RepositoryKind.Refused, Problem: $"Porthole does not clone {MessageText.Shorten(scheme)}:// URLs; give an {Schemes}.");
            }

            return UrlAuthority().IsMatch(rest)
                ? new(RepositoryKind.Remote)
                : new(RepositoryKind.Refused, Problem: $"'{MessageText.Shorten(repository)}' is not a URL git can clone: it needs a host name after {scheme}://, and neither the user nor the host may start with '-'.");
        }

        var colon = repository.IndexOf(':', StringComparison.Ordinal);
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        if (colon < 0 || (slash >= 0 && slash < colon))
        {
            return new(RepositoryKind.Local, LocalPath: repository);
        }

        return ScpLike().IsMatch(repository)
            ? new(RepositoryKind.Remote)
            : new(RepositoryKind.Refused, Problem: $"'{MessageText.Shorten(repository)}' is not a URL git can clone: give an {Schemes} (the user and host in letters, digits, '.', '_' and '-', not starting with '-').");
    }

    /// <summary>Whether git would read <paramref name="repository"/> from the server's own files.</summary>
    public static bool IsLocal(string repository) => Classify(repository).Kind == RepositoryKind.Local;

    /// <summary>
    /// Whether git, cloning the local <paramref name="path"/>, could read anything in the data folder: the path itself or
    /// any name git tries for it, before or after following its symbolic links. A relative path counts from the server's
    /// working folder, as for git.
    /// </summary>
    public bool IsInDataFolder(string path)
    {
        var data = options.Value.DataDirectory;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (IsUnder(full, Path.GetFullPath(data)))
        {
            return true;
        }

        var realData = RealPath(Path.GetFullPath(data)) ?? Path.GetFullPath(data);
        return CloneSuffixes.Any(suffix => RealPath(full + suffix) is not { } real || IsUnder(real, realData));
    }

    /// <summary>
    /// Whether an absolute <paramref name="path"/> is under one of the allowed roots, both as written (after '..') and with
    /// every symbolic link followed, for each name git tries for it; a path outside the roots as written is refused before
    /// anything on disk is looked at.
    /// </summary>
    private bool IsUnderAllowedRoot(string path)
    {
        if (!path.StartsWith('/'))
        {
            return false;
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        foreach (var root in options.Value.LocalRepositoryRoots)
        {
            var lexicalRoot = Path.GetFullPath(root);
            if (!IsUnder(full, lexicalRoot))
            {
                continue;
            }

            var realRoot = RealPath(lexicalRoot);
            if (realRoot is not null && CloneSuffixes.All(suffix => RealPath(full + suffix) is { } real && IsUnder(real, realRoot)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnder(string path, string folder)
    {
        var prefix = folder.EndsWith('/') ? folder : folder + "/";
        return path == folder || path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// An absolute path with '.', '..' and every symbolic link resolved as the kernel would, component by component; the
    /// part that does not exist is kept as written. Null when the links loop.
    /// </summary>
    internal static string? RealPath(string absolute)
    {
        var pending = new List<string>(absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending[0];
            pending.RemoveAt(0);
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = "/" + string.Join('/', resolved.Append(part));
            var target = LinkTarget(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            pending.InsertRange(0, target.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }

        return "/" + string.Join('/', resolved);
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Missing, not a folder, or unreadable: not a link git could follow either.
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9+.-]*::")]
    private static partial Regex RemoteHelper();

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex SchemeUrl();

    /// <summary>[user[:password]@]host[:port][/path], neither user nor host starting with '-' (git refuses those too: they would be ssh's options).</summary>
    [GeneratedRegex(@"^(?:[^@/\s-][^@/\s]*@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_][A-Za-z0-9._-]*)(?::[0-9]{0,5})?(?:/.*)?$", RegexOptions.Singleline)]
    private static partial Regex UrlAuthority();

    /// <summary>git's scp-like syntax, [user@]host:path.</summary>
    [GeneratedRegex(@"^(?:[A-Za-z0-9_.+~][A-Za-z0-9_.+~-]*@)?[A-Za-z0-9_][A-Za-z0-9._-]*:.*$", RegexOptions.Singleline)]
    private static partial Regex ScpLike();
}
