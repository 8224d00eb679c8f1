using Porthole.Server.Projects;

namespace Porthole.Server.Tests;

/// <summary>The server's git reaches repositories by https, http, ssh, git and local paths only, whatever git's config allows.</summary>
public sealed class GitProtocolTests
{
    [Fact]
    public async Task A_remote_helper_never_runs_even_when_git_config_allows_it()
    {
        using var folder = new TempFolder();
        var marker = folder.Combine("ran");
        var result = await Git.RunAsync(
            folder.Path,
            ["-c", "protocol.allow=always", "-c", "protocol.ext.allow=always", "clone", "--mirror", "--quiet", "--", $"ext::sh -c touch% {marker}", folder.Combine("mirror")],
            CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("transport 'ext' not allowed", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(marker), "git ran the ext:: command");
    }

    [Fact]
    public async Task A_local_path_and_a_file_url_still_clone()
    {
        using var repository = Support.GitRepository.WithFiles(("README.md", "hello\n"));
        using var folder = new TempFolder();
        foreach (var (source, name) in new[] { (repository.Path, "plain"), ("file://" + repository.Path, "url") })
        {
            var result = await Git.RunAsync(null, ["clone", "--mirror", "--quiet", "--", source, folder.Combine(name)], CancellationToken.None);
            Assert.True(result.Succeeded, result.Error);
        }
    }
}
