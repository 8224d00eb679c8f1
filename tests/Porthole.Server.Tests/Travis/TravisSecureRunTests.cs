using System.Text;
using Porthole.Cli;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.Travis;

/// <summary>
/// Travis <c>secure:</c> env values on real runs (dialects.md §B12; the real server, its built-in runner, the shell
/// executor, the real <c>porthole encrypt</c>): a value encrypted for the project arrives decrypted and masked, with
/// <c>TRAVIS_SECURE_ENV_VARS=true</c>; a value encrypted for another key (travis-ci.com's, from the corpus) is skipped with
/// a line naming its place, <c>TRAVIS_SECURE_ENV_VARS=false</c>, and the job still runs. The plaintext is nowhere: not in
/// the log, the job's API view, nor any file the server keeps.
/// </summary>
public sealed class TravisSecureRunTests : IDisposable
{
    private const string Word = "tr0ub4dor-horse-7781";

    /// <summary>typelevel/cats's first secure value (corpus): encrypted with Travis's 1024-bit key for that repository.</summary>
    private const string TravisCiphertext =
        "Kf44XQFpq2QGe3rn98Dsf5Uz3WXzPDralS54co7sqT5oQGs1mYLYZRYz+I75ZSo5ffZ86H7M+AI9YFofqGwAjBixBbqf1tGkUh3oZp2fN3QfqzazGV3HzC+o41zALG5FL+UBaURev9ChQ5fYeTtFB7YAzejHz4y5E97awk934Rg=";

    /// <summary>
    /// The job checks the value by its SHA-256, so the plaintext is in no file of the repository or the server: only the
    /// job's process has it.
    /// </summary>
    private static readonly string Script =
        "script: 'test \"$(printf %s \"$SECRET_WORD\" | sha256sum | cut -c1-64)\" = " + Sha256(Word)
        + " && echo \"word: $SECRET_WORD\"; echo \"secure env: $TRAVIS_SECURE_ENV_VARS\"'";

    private static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private readonly TempFolder _data = new();
    private readonly TempFolder _files = new();

    public void Dispose()
    {
        _files.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_value_from_porthole_encrypt_is_decrypted_and_masked_and_a_travis_value_beside_it_is_skipped_with_its_place()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", "language: shell\nscript: true\n"));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);
        var (code, output, error) = await EncryptAsync(server, "encrypt", "app", $"SECRET_WORD={Word}");
        Assert.Equal((0, ""), (code, error));
        Assert.DoesNotContain(Word, output, StringComparison.Ordinal);
        var mine = output.Trim()["secure: ".Length..];

        // Line 9 is the travis-ci.com value: "        - secure: …", its key at column 29.
        repository.Commit("secure values", (".travis.yml", string.Join('\n',
            "language: shell",
            "env:",
            "  global:",
            $"    - secure: {mine}",
            Script,
            "jobs:",
            "  include:",
            "    - name: mine",
            $"    - {{name: theirs, env: [{{secure: \"{TravisCiphertext}\"}}]}}",
            "")));

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id);

        var jobs = finished.Workflows.Single().Jobs;
        Assert.Equal(["mine", "theirs"], jobs.Select(j => j.Name));
        Assert.Equal([Status.Success, Status.Success], jobs.Select(j => j.Status));
        var mineLog = await server.LogAsync(jobs[0].Id);
        var theirsLog = await server.LogAsync(jobs[1].Id);
        Assert.Contains("word: ********", mineLog, StringComparison.Ordinal);
        Assert.Contains("secure env: true", mineLog, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be decrypted", mineLog, StringComparison.Ordinal);

        // The other job has the project's value too (it is global), but one of its values was withheld.
        Assert.Contains("word: ********", theirsLog, StringComparison.Ordinal);
        Assert.Contains("secure env: false", theirsLog, StringComparison.Ordinal);
        Assert.Contains(
            "secure value at .travis.yml:9:29 cannot be decrypted (encrypted for travis-ci.com); define the variable in project settings or re-encrypt with 'porthole encrypt'",
            theirsLog,
            StringComparison.Ordinal);
        Assert.Single(theirsLog.Split('\n'), line => line.Contains("cannot be decrypted", StringComparison.Ordinal));
        foreach (var log in new[] { mineLog, theirsLog })
        {
            Assert.DoesNotContain(mine[..40], log, StringComparison.Ordinal);
            Assert.DoesNotContain(TravisCiphertext[..40], log, StringComparison.Ordinal);
        }

        await AssertNowhereAsync(server, jobs.Select(j => j.Id), Word);
    }

    [Fact]
    public async Task Without_a_project_key_the_value_is_skipped_the_job_runs_and_no_key_is_made()
    {
        using var repository = GitRepository.WithFiles((".travis.yml", string.Join('\n',
            "language: shell",
            "env:",
            "  global:",
            "    - PLAIN=yes",
            $"    - secure: \"{TravisCiphertext}\"",
            "script: 'echo \"plain=$PLAIN secure env: $TRAVIS_SECURE_ENV_VARS word=[$SECRET_WORD]\"'",
            "")));
        await using var server = await RunningServer.StartAsync(_data.Path);
        await server.AddProjectAsync("app", repository.Path);

        var finished = await server.WaitForPipelineAsync((await server.TriggerAsync("app")).Id);

        var job = finished.Workflows.Single().Jobs.Single();
        Assert.Equal(Status.Success, job.Status);
        var log = await server.LogAsync(job.Id);
        Assert.Contains("secure value at .travis.yml:5:7 cannot be decrypted (encrypted for travis-ci.com)", log, StringComparison.Ordinal);
        Assert.Contains("plain=yes secure env: false word=[]", log, StringComparison.Ordinal);
        Assert.Equal(0, await SecureValueServer.StoredKeyCountAsync(server.DataDirectory, "app"));
    }

    /// <summary>
    /// <paramref name="secret"/> is in no log or job view the API gives, and in no file under the server's data folder
    /// (its database, stored logs and job data), as UTF-8 or UTF-16.
    /// </summary>
    private static async Task AssertNowhereAsync(RunningServer server, IEnumerable<long> jobIds, string secret)
    {
        foreach (var id in jobIds)
        {
            Assert.DoesNotContain(secret, await server.LogAsync(id), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, await server.Client.GetStringAsync($"/api/jobs/{id}"), StringComparison.Ordinal);
        }

        var patterns = new[] { Encoding.UTF8.GetBytes(secret), Encoding.Unicode.GetBytes(secret) };
        foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                bytes = await File.ReadAllBytesAsync(file);
            }
            catch (IOException)
            {
                continue;
            }

            Assert.All(patterns, pattern => Assert.True(bytes.AsSpan().IndexOf(pattern) < 0, $"the secret is in {file}"));
        }
    }

    private async Task<(int Code, string Out, string Err)> EncryptAsync(RunningServer server, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stdin = new StringReader("");
        var token = (await File.ReadAllTextAsync(Path.Combine(server.DataDirectory, "admin-token"))).Trim();
        var environment = new Dictionary<string, string>
        {
            ["PORTHOLE_SERVER"] = server.Address.ToString(),
            ["PORTHOLE_TOKEN"] = token,
            ["PORTHOLE_CONFIG"] = Path.Combine(_files.Path, "no-config.json"),
        };
        var context = new CliContext(output, error, new MemoryStream(), name => environment.TryGetValue(name, out var value) ? value : null) { Input = stdin };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await Cli.Cli.RunAsync(args, context, timeout.Token);
        return (code, output.ToString(), error.ToString());
    }
}
