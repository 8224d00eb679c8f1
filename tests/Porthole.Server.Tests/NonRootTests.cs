using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Porthole.Contracts.Api;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// Porthole run by an ordinary user (R-SSH-2): the real `porthole server` as a throwaway account, whose node sshd
/// then runs as that account and lets its requester in as that account. Needs root to make the account; the
/// suite's other SSH tests cover the root case.
/// </summary>
public sealed class NonRootTests
{
    [Fact]
    public async Task As_an_ordinary_user_the_node_sshd_runs_as_that_user_and_lets_the_requester_in()
    {
        if (Environment.UserName != "root")
        {
            // Already an ordinary user: every other SSH test is this case.
            return;
        }

        var account = "ph" + Guid.NewGuid().ToString("N")[..8];
        using var home = new TempFolder();
        SshKeyFile.Run("useradd", ["--home-dir", home.Path, "--shell", "/bin/bash", "--no-create-home", account]);
        Process? server = null;
        try
        {
            SshKeyFile.Run("chown", ["-R", $"{account}:", home.Path]);
            var data = Path.Combine(home.Path, "data");
            using var repository = GitRepository.WithFiles((".circleci/config.yml",
                $"version: 2\njobs:\n  build:\n    steps:\n      - run: echo built > built.txt; cat '{data}/admin-token' 2>/dev/null || echo token-hidden-from-the-job\n"));
            SshKeyFile.Run("chown", ["-R", $"{account}:", repository.Path]);
            var port = FreePort.Pick();
            // The account may not be able to reach this build's folder (a clone under a private home): give it a copy.
            var app = Path.Combine(home.Path, "app");
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(app, Path.GetRelativePath(AppContext.BaseDirectory, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }

            SshKeyFile.Run("chown", ["-R", $"{account}:", app]);
            var porthole = Path.Combine(app, "porthole.dll");
            var start = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["-u", account, "--", "/usr/bin/env", $"HOME={home.Path}", "DOTNET_NOLOGO=1", "PORTHOLE_Porthole__SshGracePeriod=00:00:00", "dotnet", porthole, "server", "--data", data, "--urls", $"http://127.0.0.1:{port}"])
            {
                start.ArgumentList.Add(argument);
            }

            server = Process.Start(start)!;
            _ = server.StandardOutput.ReadToEndAsync();
            var errors = server.StandardError.ReadToEndAsync();
            var tokenFile = Path.Combine(data, "admin-token");
            for (var i = 0; i < 600 && !File.Exists(tokenFile) && !server.HasExited; i++)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(tokenFile), server.HasExited ? await errors : "the server wrote no admin token");
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(tokenFile)).Trim());
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    await client.GetStringAsync("/api/users/me");
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(50);
                }
            }

            var key = SshKeyFile.Generate(home.Path, "key");
            await client.AddKeyAsync(key);
            await Expect.StatusAsync(await client.PostAsJsonAsync("/api/projects", new CreateProjectRequest("app", repository.Path, null), ApiJson.Options), 201);
            var triggered = await client.PostAsJsonAsync("/api/projects/app/pipelines", new TriggerRequest(null, null), ApiJson.Options);
            await Expect.StatusAsync(triggered, 201);
            var jobId = (await triggered.Content.ReadFromJsonAsync<PipelineView>(ApiJson.Options))!.Workflows[0].Jobs[0].Id;
            await WaitAsync(async () => Status.IsFinished((await client.GetFromJsonAsyncOrFail<JobView>($"/api/jobs/{jobId}")).Status));

            await Expect.StatusAsync(await client.PostAsJsonAsync($"/api/jobs/{jobId}/rerun", new RerunRequest(null, true), ApiJson.Options), 202);
            SshNodeView? node = null;
            await WaitAsync(async () => (node = (await client.GetFromJsonAsyncOrFail<JobSshView>($"/api/jobs/{jobId}/ssh")).Nodes[0]).Port is not null);
            Assert.Equal(account, node!.User);

            var ssh = new SshClient(home.Path);
            ssh.Pin(node.Host!, node.Port!.Value, node.HostKey!);
            // The job and the session are in the node's sandbox (a user namespace of the account, decision 9): the data
            // folder, with the admin token, is not there.
            var adminToken = (await File.ReadAllTextAsync(tokenFile)).Trim();
            var jobLog = await client.GetStringAsync($"/api/jobs/{jobId}/log?node=0&offset=0");
            Assert.Contains("token-hidden-from-the-job", jobLog, StringComparison.Ordinal);
            Assert.DoesNotContain(adminToken, jobLog, StringComparison.Ordinal);
            var result = await ssh.SshAsync(key, node.User!, node.Host!, node.Port.Value, $"cat built.txt; cat '{tokenFile}' 2>/dev/null || echo hidden");
            Assert.True(result.ExitCode == 0, result.Error);
            Assert.Equal("built\nhidden\n", result.Output);

            // The only session has closed, so the node ends (R-SSH-8, with no grace: CircleCI's rule) and takes its sshd with it.
            await WaitAsync(async () => Status.IsFinished((await client.GetFromJsonAsyncOrFail<JobView>($"/api/jobs/{jobId}")).Attempts[^1].Status));
            Assert.Equal(Status.Success, (await client.GetFromJsonAsyncOrFail<JobView>($"/api/jobs/{jobId}")).Attempts[^1].Status);
            var again = await ssh.SshAsync(key, node.User!, node.Host!, node.Port.Value, "true");
            Assert.NotEqual(0, again.ExitCode);

            // A debug run open to anyone with its command (R-DBG-7's opt-in): sshd's AuthorizedKeysCommand must work for
            // an sshd of an ordinary account too. A key nobody registered gets in with the token, and only with it.
            await Expect.StatusAsync(await client.PutAsJsonAsync("/api/projects/app/settings", new ProjectSettingsRequest(null, null, true), ApiJson.Options), 200);
            await Expect.StatusAsync(await client.PostAsJsonAsync($"/api/jobs/{jobId}/debug", new DebugJobRequest(true), ApiJson.Options), 202);
            SshNodeView? debugNode = null;
            await WaitAsync(async () => (await client.GetFromJsonAsyncOrFail<JobSshView>($"/api/jobs/{jobId}/ssh")) is { Debug: true } view
                && (debugNode = view.Nodes[0]).OpenAccessCommand is not null);
            var token = debugNode!.OpenAccessCommand!.Split(' ').Single(w => w.StartsWith("SetEnv=", StringComparison.Ordinal));
            ssh.Pin(debugNode.Host!, debugNode.Port!.Value, debugNode.HostKey!);
            var stranger = SshKeyFile.Generate(home.Path, "stranger");
            var refused = await ssh.SshAsync(stranger, debugNode.User!, debugNode.Host!, debugNode.Port.Value, "true");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("ask whoever started it for that command", refused.Error, StringComparison.Ordinal);
            var guest = await ssh.SshWithAsync(stranger, debugNode.User!, debugNode.Host!, debugNode.Port.Value, ["-o", token], $"cat '{tokenFile}' 2>/dev/null || echo hidden");
            Assert.True(guest.ExitCode == 0, guest.Error);
            Assert.Equal("hidden\n", guest.Output);
            await Expect.StatusAsync(await client.PostAsync($"/api/jobs/{jobId}/cancel", null), 202);
            await WaitAsync(async () => Status.IsFinished((await client.GetFromJsonAsyncOrFail<JobView>($"/api/jobs/{jobId}")).Attempts[^1].Status));
        }
        finally
        {
            if (server is not null)
            {
                // runuser passes SIGTERM on to the server, which stops its runner and ends every node's processes.
                if (!server.HasExited)
                {
                    SshKeyFile.Run("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await server.WaitForExitAsync(stopped.Token);
                }

                server.Dispose();
            }

            SshKeyFile.Run("userdel", [account]);
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("timed out");
    }
}
