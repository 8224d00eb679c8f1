using System.Diagnostics;
using Porthole.Contracts.Plans;
using Porthole.Execution.Executors;

namespace Porthole.Execution.Tests.Executors;

/// <summary>
/// A runner that runs docker jobs on its own system serves a Travis language version only when the host has it
/// (issue 13); otherwise the node ends infrastructure_fail naming the version and what would serve it.
/// </summary>
public sealed class HostRuntimesTests
{
    [Theory]
    [InlineData("18.19.0", "18", true)]
    [InlineData("18.19.0", "18.19", true)]
    [InlineData("18.19.0", "v18", true)]
    [InlineData("1.21.1", "1.21.x", true)]
    [InlineData("3.8.10", "3.8", true)]
    [InlineData("3.80.1", "3.8", false)]
    [InlineData("18.19.0", "1", false)]
    [InlineData("3.11.7", "3.12", false)]
    public void A_version_matches_the_host_s_when_it_is_the_same_or_a_prefix_at_a_dot(string found, string wanted, bool matches)
    {
        Assert.Equal(matches, HostRuntimes.Matches(found, wanted));
    }

    [Theory]
    [InlineData("v18.19.0\n", "18.19.0")]
    [InlineData("Python 3.11.7\n", "3.11.7")]
    [InlineData("go version go1.21.1 linux/amd64\n", "1.21.1")]
    [InlineData("ruby 3.2.2p53 (2023-03-30 revision e51014f9c0) [x86_64-linux]\n", "3.2.2")]
    [InlineData("no version here\n", null)]
    public void The_version_is_read_from_what_the_command_prints(string output, string? version)
    {
        Assert.Equal(version, HostRuntimes.VersionIn(output));
    }

    [Fact]
    public async Task The_hosts_own_python_is_served_and_another_version_is_refused_naming_it_and_the_image()
    {
        var own = HostRuntimes.VersionIn(await PrintedAsync("python3", "--version"));
        Assert.NotNull(own);

        Assert.Null(await HostRuntimes.MissingAsync(new ImageChoice(ImageChoiceKind.Language, "python", own), "python:" + own, CancellationToken.None));
        var missing = await HostRuntimes.MissingAsync(new ImageChoice(ImageChoiceKind.Language, "python", "2.6"), "python:2.6", CancellationToken.None);

        Assert.NotNull(missing);
        Assert.StartsWith("python 2.6 is not on this runner's own system, which has python " + own, missing, StringComparison.Ordinal);
        Assert.EndsWith("install it, or run the job on a runner with a Docker engine, in its image (python:2.6)", missing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node_js", "node")]
    [InlineData("python", null)]
    [InlineData("ruby", "latest")]
    public async Task No_version_or_a_word_for_the_newest_takes_whatever_the_host_has(string language, string? version)
    {
        Assert.Null(await HostRuntimes.MissingAsync(new ImageChoice(ImageChoiceKind.Language, language, version), null, CancellationToken.None));
    }

    [Fact]
    public async Task A_language_that_cannot_be_checked_is_refused_with_the_table_entry_that_would_serve_it()
    {
        var missing = await HostRuntimes.MissingAsync(new ImageChoice(ImageChoiceKind.Language, "haskell", "9.2"), null, CancellationToken.None);

        Assert.Equal(
            "haskell 9.2 cannot be checked on this runner's own system (Runner:Docker:RunOnShell runs docker jobs there): run the job on a runner with a Docker engine whose image table (Runner:Images) maps 'haskell 9.2'",
            missing);
    }

    private static async Task<string> PrintedAsync(string program, string argument)
    {
        using var process = Process.Start(new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
