using System.Net.Http.Json;
using System.Security.Cryptography;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests.JobData;

/// <summary>
/// Caches, workspaces, artifacts and test results through real pipelines on the shell executor: the typed steps on the
/// node, the bytes through the runner protocol, the store on the server and the API that shows them (issue 11).
/// </summary>
public sealed class JobDataPipelineTests : IAsyncLifetime
{
    private const string Workflow = """
        version: 2.1
        jobs:
          build:
            steps:
              - checkout
              - run: |
                  mkdir -p out dist/sub reports
                  echo one > out/a.txt; echo two > out/b.txt; echo not-persisted > out/c.log
                  echo deep > dist/sub/d.txt
                  head -c 300000 /dev/urandom > dist/blob.bin
                  echo 'export FROM_BASH_ENV=carried' >> "$BASH_ENV"
                  cp junit.xml reports/
                  echo '<testsuite><testcase' > reports/broken.xml
              - run: echo "bash_env=$FROM_BASH_ENV"
              - persist_to_workspace:
                  root: .
                  paths: [out/*.txt, dist]
              - store_artifacts:
                  path: dist
                  destination: built
              - store_artifacts:
                  path: out/a.txt
              - store_artifacts:
                  path: does-not-exist
              - store_test_results:
                  path: reports
          sibling:
            steps:
              - run: mkdir -p out && echo from-sibling > out/a.txt && echo only-sibling > out/s.txt
              - persist_to_workspace:
                  root: .
                  paths: [out]
          test:
            steps:
              - attach_workspace:
                  at: ~/ws
              - run: |
                  cat ~/ws/out/a.txt ~/ws/out/b.txt ~/ws/dist/sub/d.txt
                  test ! -e ~/ws/out/c.log && echo no-c-log
                  test ! -e ~/ws/out/s.txt && echo no-sibling-file
                  sha256sum ~/ws/dist/blob.bin
        workflows:
          main:
            jobs:
              - build
              - sibling
              - test:
                  requires: [build]
        """;

    private const string JUnit = """
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites>
          <testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3" time="0.05">
            <testcase classname="tests.test_app" name="test_adds" file="tests/test_app.py" time="0.001"/>
            <testcase classname="tests.test_app" name="test_divides" file="tests/test_app.py" time="0.002">
              <failure message="ZeroDivisionError: division by zero">def test_divides(): 1/0</failure>
            </testcase>
            <testcase classname="tests.test_app" name="test_later" file="tests/test_app.py" time="0.000">
              <skipped message="not yet"/>
            </testcase>
          </testsuite>
        </testsuites>
        """;

    private readonly TempFolder _data = new();
    private GitRepository _repository = null!;
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        _repository = GitRepository.WithFiles((".circleci/config.yml", Workflow), ("junit.xml", JUnit), ("lock.txt", "lock-1\n"));
        _server = await RunningServer.StartAsync(_data.Path);
        await _server.AddProjectAsync("app", _repository.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _repository.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task A_workflow_persists_and_attaches_its_workspace_stores_artifacts_and_test_results()
    {
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);
        var buildLog = await _server.LogAsync(jobs["build"].Id);
        Assert.True(Status.Success == jobs["build"].Status, buildLog);
        var testLog = await _server.LogAsync(jobs["test"].Id);
        Assert.True(Status.Success == jobs["test"].Status, testLog);

        // BASH_ENV carries an export to the later steps (§A5).
        Assert.Contains("bash_env=carried", buildLog);

        // The workspace: the build's layer only (the sibling is no ancestor of test), globs as Go's filepath.Match (§A5).
        Assert.Contains("one\ntwo\ndeep\n", testLog);
        Assert.Contains("no-c-log", testLog);
        Assert.Contains("no-sibling-file", testLog);
        Assert.DoesNotContain("from-sibling", testLog);

        // Artifacts: a folder under its destination, a file under its own path; a missing path is a warning.
        var artifacts = await _server.Client.GetFromJsonAsync<ArtifactList>($"/api/jobs/{jobs["build"].Id}/artifacts", ApiJson.Options);
        Assert.Equal(["built/blob.bin", "built/sub/d.txt", "out/a.txt"], artifacts!.Items.Select(a => a.Path).Order());
        Assert.Contains("does-not-exist does not exist", buildLog);
        var blob = artifacts.Items.Single(a => a.Path == "built/blob.bin");
        Assert.Equal(300000, blob.Size);
        Assert.Equal(0, blob.NodeIndex);
        var downloaded = await _server.Client.GetByteArrayAsync(blob.Url);
        Assert.Equal(300000, downloaded.Length);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(downloaded)), testLog);
        Assert.Equal("deep\n", await _server.Client.GetStringAsync(artifacts.Items.Single(a => a.Path == "built/sub/d.txt").Url));

        // Test results: the failed first; the broken report is named in the log, and the step still passes.
        var tests = await _server.Client.GetFromJsonAsync<TestResultList>($"/api/jobs/{jobs["build"].Id}/tests", ApiJson.Options);
        Assert.Equal(3, tests!.Counts.Total);
        Assert.Equal(1, tests.Counts.Failed);
        Assert.Equal(1, tests.Counts.Skipped);
        Assert.Equal("test_divides", tests.Items[0].Name);
        Assert.Equal("failure", tests.Items[0].Result);
        Assert.Equal("tests/test_app.py", tests.Items[0].File);
        Assert.Contains("ZeroDivisionError", tests.Items[0].Message);
        Assert.Contains("broken.xml", buildLog);
    }

    [Fact]
    public async Task A_cache_saved_by_one_pipeline_is_restored_by_the_next_by_prefix_the_most_recent_winning()
    {
        _repository.Commit("cache", (".circleci/config.yml", """
            version: 2.1
            jobs:
              cache:
                steps:
                  - checkout
                  - restore_cache:
                      keys:
                        - deps-v1-{{ .Branch }}-{{ checksum "lock.txt" }}-nothing-has-this
                        - deps-v1-
                  - run: cat ~/deps/id 2>/dev/null || echo restored=none
                  - run: mkdir -p ~/deps && echo "restored=$CIRCLE_BUILD_NUM" > ~/deps/id
                  - save_cache:
                      key: deps-v1-{{ .Branch }}-{{ checksum "lock.txt" }}-{{ .BuildNum }}
                      paths: [~/deps]
                  - save_cache:
                      key: deps-v1-{{ .Branch }}-{{ checksum "lock.txt" }}-{{ .BuildNum }}
                      paths: [~/deps]
            workflows:
              main:
                jobs: [cache]
            """));
        var builds = new List<long>();
        var logs = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var triggered = await _server.TriggerAsync("app", "main");
            var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
            var job = pipeline.Workflows.Single().Jobs.Single();
            var log = await _server.LogAsync(job.Id);
            Assert.True(job.Status == Status.Success, log);
            builds.Add(job.Id);
            logs.Add(log);
        }

        Assert.Contains("restored=none", logs[0]);
        Assert.Contains("no cache is found", logs[0]);
        Assert.Contains($"restored={builds[0]}", logs[1]);
        Assert.Contains($"restored={builds[1]}", logs[2]);

        // The key is rendered on the node: the branch and the lock file's checksum, base64 of its SHA-256 (§A5).
        var checksum = Convert.ToBase64String(SHA256.HashData("lock-1\n"u8.ToArray()));
        Assert.Contains($"Stored Cache to deps-v1-main-{checksum}-{builds[2]}", logs[2]);

        // Caches are immutable: the second save of one key leaves the first alone.
        Assert.Contains($"Skipping cache generation, cache already exists for key: deps-v1-main-{checksum}-{builds[2]}", logs[2]);
    }

    [Fact]
    public async Task A_key_that_cannot_be_rendered_fails_the_step_with_the_reason_and_a_missing_path_is_a_warning()
    {
        _repository.Commit("bad keys", (".circleci/config.yml", """
            version: 2.1
            jobs:
              unknown-function:
                steps:
                  - save_cache:
                      key: deps-{{ parameters.x }}
                      paths: [~/deps]
              missing-file:
                steps:
                  - save_cache:
                      key: deps-{{ checksum "no-such-file.lock" }}
                      paths: [~/deps]
              nothing-there:
                steps:
                  - save_cache:
                      key: deps-nothing
                      paths: [~/never-made]
                  - restore_cache:
                      key: deps-nothing
            workflows:
              main:
                jobs: [unknown-function, missing-file, nothing-there]
            """));
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
        var jobs = pipeline.Workflows.Single().Jobs.ToDictionary(j => j.Name);

        Assert.Equal(Status.Failed, jobs["unknown-function"].Status);
        Assert.Contains("function \"parameters\" not defined", await _server.LogAsync(jobs["unknown-function"].Id));
        Assert.Equal(Status.Failed, jobs["missing-file"].Status);
        Assert.Contains("no-such-file.lock", await _server.LogAsync(jobs["missing-file"].Id));
        var nothing = await _server.LogAsync(jobs["nothing-there"].Id);
        Assert.True(jobs["nothing-there"].Status == Status.Success, nothing);
        Assert.Contains("none of the paths exists", nothing);
        Assert.Contains("no cache is found for key: deps-nothing", nothing);
    }

    [Fact]
    public async Task Three_nodes_saving_one_key_store_it_once()
    {
        _repository.Commit("race", (".circleci/config.yml", """
            version: 2.1
            jobs:
              race:
                parallelism: 3
                steps:
                  - run: mkdir -p ~/shared && head -c 2000000 /dev/urandom > ~/shared/data && echo "node $CIRCLE_NODE_INDEX" > ~/shared/who
                  - save_cache:
                      key: shared-{{ .Revision }}
                      paths: [~/shared]
            workflows:
              main:
                jobs: [race]
            """));
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
        var job = pipeline.Workflows.Single().Jobs.Single();
        var logs = new List<string>();
        for (var node = 0; node < 3; node++)
        {
            logs.Add(await _server.LogAsync(job.Id, node));
        }

        Assert.True(job.Status == Status.Success, string.Join("\n----\n", logs));
        Assert.Equal(1, logs.Count(l => l.Contains("Stored Cache to shared-", StringComparison.Ordinal)));
        Assert.Equal(2, logs.Count(l => l.Contains("Skipping cache generation", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_job_cannot_smuggle_a_path_outside_its_cache_through_its_own_tar()
    {
        // The job's PATH puts its own `tar` first (a relative entry, found from the node's home): it answers with an archive whose entry climbs out with `..`. The
        // runner checks every entry on its way up and refuses the archive; nothing is stored.
        _repository.Commit("evil tar", (".circleci/config.yml", """
            version: 2.1
            jobs:
              evil:
                environment:
                  # Relative: the runner's tar runs in the node's home, where the job puts its own.
                  PATH: evil:/usr/local/bin:/usr/bin:/bin
                steps:
                  - checkout
                  - run: |
                      mkdir -p ~/evil ~/deps && echo fine > ~/deps/file
                      /usr/bin/base64 -d evil.tar.b64 > ~/evil/evil.tar
                      printf '#!/bin/sh\nexec /bin/cat "$HOME/evil/evil.tar"\n' > ~/evil/tar && /bin/chmod +x ~/evil/tar
                  - save_cache:
                      key: evil
                      paths: [~/deps]
            workflows:
              main:
                jobs: [evil]
            """), ("evil.tar.b64", Convert.ToBase64String(EvilTar())));
        var triggered = await _server.TriggerAsync("app", "main");
        var pipeline = await _server.WaitForPipelineAsync(triggered.Id, seconds: 120);
        var job = pipeline.Workflows.Single().Jobs.Single();
        var log = await _server.LogAsync(job.Id);
        Assert.True(job.Status == Status.Failed && log.Contains("The cache archive was refused", StringComparison.Ordinal), log);
        Assert.Contains("..", log);
        var steps = (await _server.JobAsync(job.Id)).Attempts.Single().Nodes.Single().Steps;
        Assert.Equal(Status.Failed, steps.Single(s => s.Name == "Saving Cache").Status);
    }

    [Fact]
    public async Task Tests_split_by_timings_from_the_jobs_earlier_results_across_its_nodes()
    {
        // The first pipeline records how long each package's tests took; the second splits by those timings (§A7):
        // the slow package alone on one node, the three quick ones on the other, and the union is the whole list.
        _repository.Commit("timings", (".circleci/config.yml", """
            version: 2.1
            jobs:
              unit:
                parallelism: 2
                steps:
                  - checkout
                  - run: mkdir -p results && cp timings.xml results/
                  - store_test_results:
                      path: results
                  - run: |
                      printf 'pkg/a\npkg/b\npkg/c\npkg/d\n' | circleci tests split --split-by=timings --timings-type=classname | sed 's/^/mine: /'
            workflows:
              main:
                jobs: [unit]
            """), ("timings.xml", """
            <testsuite name="go">
              <testcase classname="pkg/a" name="TestSlow" time="30"/>
              <testcase classname="pkg/b" name="TestQuick" time="1"/>
              <testcase classname="pkg/c" name="TestQuick" time="1"/>
              <testcase classname="pkg/d" name="TestQuick" time="1"/>
            </testsuite>
            """));
        await _server.WaitForPipelineAsync((await _server.TriggerAsync("app", "main")).Id, seconds: 120);
        var second = await _server.WaitForPipelineAsync((await _server.TriggerAsync("app", "main")).Id, seconds: 120);
        var job = second.Workflows.Single().Jobs.Single();
        var mine = new List<string[]>();
        for (var node = 0; node < 2; node++)
        {
            var log = await _server.LogAsync(job.Id, node);
            Assert.True(job.Status == Status.Success, log);
            mine.Add([.. log.Split('\n').Where(l => l.StartsWith("mine: ", StringComparison.Ordinal)).Select(l => l[6..].Trim())]);
        }

        Assert.Contains(["pkg/a"], mine);
        Assert.Contains(["pkg/b", "pkg/c", "pkg/d"], mine.Select(m => m.Order().ToArray()));
    }

    /// <summary>A tar whose one entry climbs out of wherever it is extracted.</summary>
    private static byte[] EvilTar()
    {
        using var output = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(output, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "../../etc/porthole-pwned")
            {
                DataStream = new MemoryStream("pwned\n"u8.ToArray()),
            };
            writer.WriteEntry(entry);
        }

        return output.ToArray();
    }
}
