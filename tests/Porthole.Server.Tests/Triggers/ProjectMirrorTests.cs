using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Porthole.Contracts.Api;
using Porthole.Server.Projects;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Triggers;

/// <summary>
/// The server's mirror of a project's repository: one <c>git cat-file --batch</c> answers a trigger's lookups
/// (<see cref="MirrorReader"/>), and git's upkeep of the mirror runs after the fetch rather than in it
/// (<see cref="MirrorUpkeep"/>). Real git, a real repository, the real server.
/// </summary>
public sealed class ProjectMirrorTests : IDisposable
{
    private readonly TempFolder _data = new();
    private readonly GitRepository _repository = GitRepository.WithFiles(
        (".circleci/config.yml", "version: 2.1\njobs:\n  build:\n    steps:\n      - run: echo hi\nworkflows:\n  main:\n    jobs: [build]\n"));

    public void Dispose()
    {
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_reader_answers_refs_commits_and_files_and_missing_ones_with_null()
    {
        var first = _repository.Run("rev-parse", "HEAD").Trim();
        var second = _repository.Commit("second", ("big.txt", new string('x', 5000)));
        _repository.Run("tag", "v1", first);

        await using var reader = MirrorReader.Open(Path.Combine(_repository.Path, ".git"));

        Assert.Equal(second, await reader.CommitAsync("refs/heads/main", CancellationToken.None));
        Assert.Equal(first, await reader.CommitAsync("refs/tags/v1", CancellationToken.None));
        Assert.Equal(first, await reader.CommitAsync(first[..10], CancellationToken.None));
        Assert.Null(await reader.CommitAsync("refs/heads/nope", CancellationToken.None));
        Assert.Null(await reader.CommitAsync(new string('0', 40), CancellationToken.None));

        // A tree or blob is not a commit.
        Assert.Null(await reader.CommitAsync(second + ":big.txt", CancellationToken.None));

        var config = await reader.FileAsync(second, ".circleci/config.yml", 1024, CancellationToken.None);
        Assert.StartsWith("version: 2.1\n", System.Text.Encoding.UTF8.GetString(config!.Content!), StringComparison.Ordinal);
        Assert.Null(await reader.FileAsync(first, "big.txt", 1024, CancellationToken.None));
        Assert.Null(await reader.FileAsync(second, ".circleci", 1024, CancellationToken.None));

        Assert.Equal("second", await reader.CommitMessageAsync(second, CancellationToken.None));
        Assert.Null(await reader.CommitMessageAsync(new string('0', 40), CancellationToken.None));

        // Over the limit: its size, no bytes, and the reader goes on answering.
        var big = await reader.FileAsync(second, "big.txt", 1000, CancellationToken.None);
        Assert.Equal(5000, big!.Size);
        Assert.Null(big.Content);
        Assert.Equal(second, await reader.CommitAsync("main", CancellationToken.None));
    }

    [Fact]
    public async Task A_name_with_a_line_break_cannot_add_a_lookup_of_its_own()
    {
        var head = _repository.Run("rev-parse", "HEAD").Trim();
        await using var reader = MirrorReader.Open(Path.Combine(_repository.Path, ".git"));

        // Were the line break passed on, git would answer "nope" (missing) and then the commit for the second line.
        Assert.Null(await reader.CommitAsync("refs/heads/nope\n" + head, CancellationToken.None));
        Assert.Null(await reader.CommitAsync("\u0000" + head, CancellationToken.None));
        Assert.Null(await reader.FileAsync(head, ".circleci/config.yml\nrefs/heads/main", 1024, CancellationToken.None));

        // The next answer is the next lookup's, not a left-over one.
        Assert.Null(await reader.CommitAsync("refs/heads/other", CancellationToken.None));
        Assert.Equal(head, await reader.CommitAsync("refs/heads/main", CancellationToken.None));
    }

    [Fact]
    public async Task Gits_upkeep_of_the_mirror_runs_after_a_triggers_fetch()
    {
        await using var server = await TriggerServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", _repository.Path);
        await TriggerAndWaitAsync(server);
        long projectId;
        await using (var db = server.Db())
        {
            projectId = await db.Projects.Where(p => p.Name == "app").Select(p => p.Id).SingleAsync();
        }

        // One pack to start from; each fetch then brings a pack, and more than one pack is what git's automatic upkeep
        // packs into one.
        var mirror = server.Get<ProjectRepositories>().MirrorPath(projectId);
        Git(mirror, "repack", "-a", "-d", "-q");
        Assert.Equal(1, Packs(mirror));
        Git(mirror, "config", "transfer.unpackLimit", "1");
        Git(mirror, "config", "gc.autoPackLimit", "1");
        _repository.Commit("pushed", ("pushed.txt", "a change\n"));
        await TriggerAndWaitAsync(server);

        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (Packs(mirror) > 1 && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, Packs(mirror));
    }

    private static int Packs(string mirror) => Directory.GetFiles(Path.Combine(mirror, "objects", "pack"), "*.pack").Length;

    private static async Task TriggerAndWaitAsync(TriggerServer server)
    {
        var response = await server.TriggerAsync("app", new TriggerRequest("main", null));
        await Expect.StatusAsync(response, 201);
        var pipeline = (await response.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!;
        Assert.Equal(Status.Success, (await server.WaitForPipelineAsync(pipeline.Id)).Status);
    }

    private static void Git(string gitDirectory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { RedirectStandardError = true };
        start.ArgumentList.Add("--git-dir");
        start.ArgumentList.Add(gitDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
    }
}
