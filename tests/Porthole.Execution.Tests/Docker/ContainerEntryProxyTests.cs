using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet.Models;
using Porthole.Execution.Docker;
using Porthole.Execution.Docker.Entry;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Docker;

/// <summary>
/// A node's entry socket on this machine's real engine, driven by the real docker CLI (and by hand-written requests, for
/// what the CLI never sends): execs land in the node's container as its job user, everything else is refused.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ContainerEntryProxyTests : IAsyncLifetime
{
    private const string DockerCli = "/usr/bin/docker";
    private const string JobUser = "circleci";
    private const string Directory = "/home/circleci";

    private readonly TempFolder _folder = new("porthole-entry-");
    private readonly DockerEngine _engine = new(new DockerSettings());
    private readonly string _tag = "entry-test/" + Guid.NewGuid().ToString("N");
    private readonly string _secret = "s3cret-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    private ContainerEntryProxy? _proxy;
    private string _id = "";
    private string _name = "";

    private string SocketPath => _folder.Combine("enter.sock");

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureAsync();
        (_id, _name) = await StartContainerAsync(DockerTestImages.Busybox);
    }

    public async Task DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        await NodeContainers.RemoveTaggedAsync(_engine.Client, _tag, TimeProvider.System, TimeSpan.FromSeconds(5));
        _engine.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task An_exec_runs_as_the_job_user_with_the_jobs_environment_and_directory_whatever_the_client_asks()
    {
        StartProxy();

        var plain = await DockerAsync("exec", _id, "sh", "-c", "id -u; echo $GREETING; pwd");
        var asRoot = await DockerAsync("exec", "-u", "root", _name, "id", "-u");
        var privileged = await DockerAsync("exec", "--privileged", "-u", "0", _id, "sh", "-c", "grep CapEff /proc/self/status; mount -t tmpfs x /mnt && echo mounted");
        var ownVariable = await DockerAsync("exec", "-e", "GREETING=mine", "-w", "/tmp", _id, "sh", "-c", "echo $GREETING; pwd");

        Assert.Equal((0, "3434\nhello from porthole\n/home/circleci\n"), (plain.Code, plain.Output));
        Assert.Equal((0, "3434\n"), (asRoot.Code, asRoot.Output));
        Assert.Contains("CapEff:\t0000000000000000", privileged.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("mounted", privileged.Output, StringComparison.Ordinal);
        Assert.Equal((0, "mine\n/tmp\n"), (ownVariable.Code, ownVariable.Output));
    }

    [Fact]
    public async Task Exec_settings_are_forced_even_in_JSON_the_CLI_would_never_write()
    {
        StartProxy();

        // Go's JSON decoder matches names case-insensitively and the last repeat wins.
        var lower = await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"user":"root","privileged":true,"Cmd":["id","-u"],"env":["A=b"]}"""));
        var folded = await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"Uſer":"root","Cmd":["id"]}"""));
        var twice = await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"User":"x","USER":"root","Cmd":["id"]}"""));

        Assert.StartsWith("HTTP/1.1 201 ", lower, StringComparison.Ordinal);
        var execId = lower[(lower.IndexOf("\"Id\":\"", StringComparison.Ordinal) + 6)..][..64];
        var inspected = await _engine.Client.Exec.InspectContainerExecAsync(execId);
        Assert.Equal(JobUser, inspected.ProcessConfig?.User);
        Assert.False(inspected.ProcessConfig?.Privileged);
        Assert.StartsWith("HTTP/1.1 400 ", folded, StringComparison.Ordinal);
        Assert.Contains("porthole: a field name of the exec's settings is not ASCII", folded, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", twice, StringComparison.Ordinal);
        Assert.Contains("porthole: the exec's settings name User more than once", twice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exec_the_runner_made_in_the_container_cannot_be_started_or_looked_at_through_the_entry()
    {
        StartProxy();
        var runners = await _engine.Client.Exec.CreateContainerExecAsync(
            _id, new ContainerExecCreateParameters { Cmd = ["id", "-u"], User = "root", AttachStdout = true });

        var start = await RawAsync(Post($"/v1.41/exec/{runners.ID}/start", """{"Detach":false,"Tty":false}"""));
        var inspect = await RawAsync(Encoding.ASCII.GetBytes($"GET /v1.41/exec/{runners.ID}/json HTTP/1.1\r\nHost: docker\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 403 ", start, StringComparison.Ordinal);
        Assert.Contains($"porthole: exec {runners.ID} was not made through this socket", start, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 403 ", inspect, StringComparison.Ordinal);
        Assert.False((await _engine.Client.Exec.InspectContainerExecAsync(runners.ID)).Running);
    }

    [Fact]
    public async Task The_exit_code_comes_back()
    {
        StartProxy();

        var result = await DockerAsync("exec", _id, "sh", "-c", "exit 7");

        Assert.Equal(7, result.Code);
    }

    [Fact]
    public async Task Stdin_comes_through_whole_and_its_end_ends_the_exec()
    {
        StartProxy();
        var input = RandomNumberGenerator.GetBytes(1024 * 1024);

        var result = await DockerAsync(["exec", "-i", _id, "cat"], input);

        Assert.Equal(0, result.Code);
        Assert.True(input.AsSpan().SequenceEqual(result.Bytes), $"{result.Bytes.Length} bytes came back; {result.Error}");
    }

    [Fact]
    public async Task A_terminal_session_gets_a_pty_of_the_clients_size()
    {
        var (id, name) = await StartContainerAsync(DockerTestImages.Debian);
        StartProxy(Rules(id, name));

        // The CLI sends the size just after the start: wait for it rather than race it.
        var inner = "for i in $(seq 50); do s=$(stty size); [ \"$s\" != \"0 0\" ] && break; sleep 0.1; done; tty; echo size=$s";
        var line = $"stty rows 40 cols 100; {DockerCli} -H unix://{SocketPath} exec -it {id} bash -c '{inner}'";
        var result = await RunAsync("script", ["-qec", line, "/dev/null"]);

        Assert.Equal(0, result.Code);
        Assert.Contains("/dev/pts/", result.Output, StringComparison.Ordinal);
        Assert.Contains("size=40 100", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Everything_but_an_exec_into_the_nodes_container_is_refused_and_the_entry_serves_on()
    {
        var (other, otherName) = await StartContainerAsync(DockerTestImages.Busybox);
        StartProxy();

        var refused = new[]
        {
            await DockerAsync("ps"),
            await DockerAsync("run", "--rm", DockerTestImages.Busybox, "true"),
            await DockerAsync("exec", other, "true"),
            await DockerAsync("exec", otherName, "true"),
            await DockerAsync("cp", $"{_id}:/etc/passwd", _folder.Combine("passwd")),
            await DockerAsync("exec", _id[..12], "true"),
            await DockerAsync("images"),
        };
        var good = await DockerAsync("exec", _id, "echo", "still here");

        Assert.All(refused, r => Assert.NotEqual(0, r.Code));
        Assert.All(refused, r => Assert.Contains("porthole:", r.Error, StringComparison.Ordinal));
        Assert.Equal((0, "still here\n"), (good.Code, good.Output));
        Assert.False(File.Exists(_folder.Combine("passwd")));
    }

    [Fact]
    public async Task Malformed_and_malicious_requests_are_answered_or_closed_and_never_reach_the_engine()
    {
        var (other, _) = await StartContainerAsync(DockerTestImages.Busybox);
        StartProxy(headTimeout: TimeSpan.FromSeconds(1));
        var exec = """{"Cmd":["true"]}""";

        var answers = new Dictionary<string, string>
        {
            ["garbage"] = await RawAsync([0, 1, 2, .. "\r\nhello\r\n\r\n"u8]),
            ["http/1.0"] = await RawAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray()),
            ["injection"] = await RawAsync("GET /_ping HTTP/1.1\r\nHost: docker\rX-Evil: 1\r\n\r\n"u8.ToArray()),
            ["oversized head"] = await RawAsync(Encoding.ASCII.GetBytes($"GET /_ping HTTP/1.1\r\nX-Pad: {new string('a', 70_000)}\r\n\r\n")),
            ["chunked"] = await RawAsync(Encoding.ASCII.GetBytes(
                $"POST /v1.41/containers/{_id}/exec HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n{exec.Length:x}\r\n{exec}\r\n0\r\n\r\n")),
            ["huge length"] = await RawAsync(Encoding.ASCII.GetBytes($"POST /v1.41/containers/{_id}/exec HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")),
            ["too long"] = await RawAsync(Encoding.ASCII.GetBytes($"POST /v1.41/containers/{_id}/exec HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n")),
            ["two lengths"] = await RawAsync(Encoding.ASCII.GetBytes($"POST /v1.41/containers/{_id}/exec HTTP/1.1\r\nContent-Length: 16\r\nContent-Length: 0\r\n\r\n{exec}")),
            ["encoded"] = await RawAsync(Post($"/v1.41/containers/{_id}%2F..%2F{other}/exec", exec)),
            ["dot dot"] = await RawAsync(Post($"/v1.41/containers/{_id}/../../containers/{other}/exec", exec)),
            ["absolute"] = await RawAsync(Encoding.ASCII.GetBytes("GET http://docker/containers/json HTTP/1.1\r\n\r\n")),
            ["exec id"] = await RawAsync(Post("/v1.41/exec/../containers/create/start", "{}")),
            ["not unicode"] = await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"Cmd":["true"],"WorkingDir":"\ud800"}""")),
            ["nothing"] = await RawAsync([]),
            ["half a head"] = await RawAsync("GET /_ping HTTP/1.1\r\nHo"u8.ToArray()),
        };
        // A second request on the connection of an allowed one: the engine must never read it. Nor after an exec start the
        // engine answers itself (a bad body) instead of taking the connection over.
        var pipelined = await RawAsync("GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\nGET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"u8.ToArray());
        var created = await RawAsync(Post($"/v1.41/containers/{_id}/exec", exec));
        var execId = created[(created.IndexOf("\"Id\":\"", StringComparison.Ordinal) + 6)..][..64];
        var badStart = Encoding.ASCII.GetString(Post($"/v1.41/exec/{execId}/start", """{"Tty":"x"}""")).Replace("\r\n\r\n", "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", StringComparison.Ordinal);
        var notTakenOver = await RawAsync([.. Encoding.ASCII.GetBytes(badStart), .. Post($"/v1.41/containers/{other}/exec", exec)]);

        Assert.All(answers, a => Assert.Matches("^HTTP/1.1 4[0-9][0-9] ", a.Value));
        Assert.All(answers.Values.Where(a => a.Length > 0), a => Assert.Contains("porthole:", a, StringComparison.Ordinal));
        Assert.Contains("HTTP/1.1 431 ", answers["oversized head"], StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 411 ", answers["chunked"], StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 413 ", answers["too long"], StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 408 ", answers["nothing"], StringComparison.Ordinal);
        Assert.Equal(1, pipelined.Split("HTTP/1.1 ").Length - 1);
        Assert.EndsWith("OK", pipelined, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", notTakenOver, StringComparison.Ordinal);
        Assert.Equal(1, notTakenOver.Split("HTTP/1.1 ").Length - 1);
        Assert.Empty((await _engine.Client.Containers.InspectContainerAsync(other)).ExecIDs ?? []);
        var good = await DockerAsync("exec", _id, "echo", "ok");
        Assert.Equal((0, "ok\n"), (good.Code, good.Output));
    }

    [Fact]
    public async Task Many_idle_connections_do_not_keep_a_good_request_out()
    {
        StartProxy();
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 100; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                idle.Add(socket);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            }

            var result = await DockerAsync("exec", _id, "echo", "served");

            Assert.Equal((0, "served\n"), (result.Code, result.Output));
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_refusal_never_holds_the_jobs_secrets()
    {
        StartProxy();

        var answers = new[]
        {
            await RawAsync(Post($"/v1.41/containers/{_id}/exec", "{\"Cmd\":[\"env\"],\"Env\":\"SECRET_TOKEN")),
            await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"Cmd":["env"],"Env":[1]}""")),
            await RawAsync(Post($"/v1.41/containers/{_id}/exec", """{"Cmd":["env"],"WorkingDir":["$SECRET_TOKEN"]}""")),
            await RawAsync(Post("/v1.41/containers/create", """{"Image":"x","Env":["SECRET_TOKEN=x"]}""")),
        };

        Assert.All(answers, a => Assert.StartsWith("HTTP/1.1 4", a, StringComparison.Ordinal));
        Assert.All(answers, a => Assert.DoesNotContain(_secret, a, StringComparison.Ordinal));
        Assert.DoesNotContain(_secret, Rules(_id, _name).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_socket_is_made_anew_0660_and_the_groups_and_dispose_deletes_it_and_ends_open_sessions()
    {
        await File.WriteAllTextAsync(SocketPath, "left by an earlier runner");
        StartProxy(socketGroup: 4242);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(SocketPath));
        Assert.Equal(0u, FileOwnership.OwnersOf(SocketPath)?.Uid);
        Assert.Equal(4242u, FileOwnership.OwnersOf(SocketPath)?.Gid);

        var start = CliStart(["exec", "-i", _id, "cat"]);
        start.RedirectStandardInput = true;
        using var session = Process.Start(start)!;
        await session.StandardInput.WriteLineAsync("ping");
        await session.StandardInput.FlushAsync();
        Assert.Equal("ping", await session.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        await _proxy!.DisposeAsync();

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await session.WaitForExitAsync(cancel.Token);
        }
        finally
        {
            if (!session.HasExited)
            {
                session.Kill(entireProcessTree: true);
            }
        }

        Assert.False(File.Exists(SocketPath));
    }

    private EntryRules Rules(string id, string name) =>
        new(id, name, JobUser, Directory, [new("GREETING", "hello from porthole"), new("SECRET_TOKEN", _secret)]);

    private void StartProxy(EntryRules? rules = null, int? socketGroup = null, TimeSpan? headTimeout = null) =>
        _proxy = ContainerEntryProxy.Start(SocketPath, rules ?? Rules(_id, _name), _engine, TimeProvider.System, socketGroup, headTimeout);

    private async Task<(string Id, string Name)> StartContainerAsync(string image)
    {
        var name = "porthole-entry-" + Guid.NewGuid().ToString("N")[..12];
        var created = await _engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = image,
            Entrypoint = ["/bin/sh", "-c", "while :; do sleep 3600; done"],
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = _tag },
            HostConfig = new HostConfig { Init = true },
        });
        await _engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return (created.ID, name);
    }

    private static byte[] Post(string path, string json) =>
        Encoding.UTF8.GetBytes($"POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    // One request on a connection of its own; the answer as far as the proxy sent it before closing.
    private async Task<string> RawAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var answer = new MemoryStream();
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cancel.Token);
            var buffer = new byte[8192];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // Closed before all was sent or read: what came is the answer.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private Task<CliResult> DockerAsync(params string[] arguments) => DockerAsync(arguments, null);

    private Task<CliResult> DockerAsync(string[] arguments, byte[]? input) => RunAsync(CliStart(arguments), input);

    private Task<CliResult> RunAsync(string program, string[] arguments)
    {
        var start = CliStart(arguments);
        start.FileName = program;
        start.ArgumentList.Clear();
        arguments.ToList().ForEach(start.ArgumentList.Add);
        return RunAsync(start, null);
    }

    private ProcessStartInfo CliStart(string[] arguments)
    {
        var start = new ProcessStartInfo(DockerCli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-H", $"unix://{SocketPath}", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        // The CLI's own configuration (contexts, extra headers) stays out of it.
        start.Environment["DOCKER_CONFIG"] = _folder.Combine("docker-config");
        start.Environment.Remove("DOCKER_HOST");
        start.Environment.Remove("DOCKER_CONTEXT");
        return start;
    }

    private static async Task<CliResult> RunAsync(ProcessStartInfo start, byte[]? input)
    {
        start.RedirectStandardInput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var output = new MemoryStream();
        var reading = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        var writing = Task.Run(async () =>
        {
            await using var stdin = process.StandardInput.BaseStream;
            await stdin.WriteAsync(input ?? []);
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(reading, writing);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not end within a minute; it printed: {await error}");
        }

        return new CliResult(process.ExitCode, output.ToArray(), await error);
    }

    private sealed record CliResult(int Code, byte[] Bytes, string Error)
    {
        public string Output => Encoding.UTF8.GetString(Bytes);
    }
}
