using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Shell;
using Porthole.Execution.Tests.Support;

namespace Porthole.Execution.Tests.Shell;

public sealed class ShellExecutorTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ShellExecutor _executor = new(TimeProvider.System, new ShellExecutorOptions { StopGrace = TimeSpan.FromSeconds(1) });

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Setup_lays_out_the_workspace()
    {
        await using var node = await SetupAsync();

        Assert.Equal(_folder.Combine("home"), node.HomeDirectory);
        Assert.Equal(_folder.Combine("scratch"), node.ScratchDirectory);
        Assert.True(Directory.Exists(_folder.Combine("root")));
        Assert.True(Directory.Exists(_folder.Combine("tmp")));
        Assert.Equal(node.HomeDirectory, node.BaseEnvironment["HOME"]);
    }

    [Fact]
    public async Task A_step_process_leads_its_own_session_and_process_group()
    {
        await using var node = await SetupAsync();
        var output = new CollectingOutput();

        var process = await node.StartAsync(Launch("/bin/sh", "-c", "cat /proc/self/stat > /dev/null; read _ _ _ _ pgrp session _ < /proc/$$/stat; echo \"$$ $pgrp $session\""), output, CancellationToken.None);
        var exitCode = await process.Exited.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, exitCode);
        Assert.Equal($"{process.Id} {process.Id} {process.Id}\n", output.Text);
    }

    [Fact]
    public async Task Destroy_ends_what_is_still_running_and_is_idempotent()
    {
        var node = await SetupAsync();
        var process = await node.StartAsync(Launch("/bin/sh", "-c", "sleep 300"), new CollectingOutput(), CancellationToken.None);
        try
        {
            await node.DestroyAsync();
            await node.DestroyAsync();

            Assert.True(process.Exited.IsCompleted);
            Assert.False(ProcFs.IsAlive(process.Id));
            await Assert.ThrowsAsync<ExecutorException>(() => node.StartAsync(Launch("/bin/true"), new CollectingOutput(), CancellationToken.None));
        }
        finally
        {
            TestProcesses.KillIfAlive(process.Id);
        }
    }

    [Fact]
    public async Task A_missing_program_is_an_executor_error()
    {
        await using var node = await SetupAsync();

        var error = await Assert.ThrowsAsync<ExecutorException>(
            () => node.StartAsync(Launch("no-such-program-here"), new CollectingOutput(), CancellationToken.None));

        Assert.Contains("'no-such-program-here' was not found on the runner", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signal_shows_as_128_plus_its_number()
    {
        await using var node = await SetupAsync();

        var process = await node.StartAsync(Launch("/bin/sh", "-c", "kill -TERM $$"), new CollectingOutput(), CancellationToken.None);

        Assert.Equal(143, await process.Exited.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("~/project", "home/project")]
    [InlineData("/go/src/x", "root/go/src/x")]
    [InlineData("/go/../etc", "root/etc")]
    [InlineData("rel", "home/base/rel")]
    [InlineData("../up", "home/up")]
    public async Task Directories_map_into_the_workspace(string path, string expected)
    {
        await using var node = await SetupAsync();

        Assert.Equal(_folder.Combine(expected), node.ResolveDirectory(path, _folder.Combine("home", "base")));
    }

    [Fact]
    public async Task A_directory_inside_the_workspace_is_kept()
    {
        await using var node = await SetupAsync();

        Assert.Equal(_folder.Combine("home", "x"), node.ResolveDirectory(_folder.Combine("home", "x"), "/"));
        Assert.Throws<ArgumentException>(() => node.ResolveDirectory("../../../..", node.HomeDirectory));
    }

    private Task<IExecutorNode> SetupAsync() =>
        _executor.SetupAsync(new NodeSetup(_folder.Path, new ExecutorSpec(ExecutorKind.Shell, null)), CancellationToken.None);

    private StepLaunch Launch(params string[] arguments) =>
        new(arguments, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }, _folder.Path);

    private sealed class CollectingOutput : IStepOutput
    {
        private readonly MemoryStream _bytes = new();

        public string Text => Encoding.UTF8.GetString(_bytes.ToArray());

        public ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _bytes.Write(chunk.Span);
            return ValueTask.CompletedTask;
        }
    }
}
