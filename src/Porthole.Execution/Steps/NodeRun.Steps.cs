using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.StepHandlers;

namespace Porthole.Execution.Steps;

/// <summary>One foreground step: its process (or a checkout's git commands, or setup_remote_docker), its timeouts and its ending.</summary>
internal sealed partial class NodeRun
{
    private async Task RunForegroundAsync(int index, StepPlan step)
    {
        var startedAt = _timeProvider.GetUtcNow();
        var logStart = _log.Offset;
        await _log.ReportStepAsync(new StepReport(FirstStepIndex + index, step.Name, StepState.Running, null, logStart, null, startedAt, null));
        await _log.Runner.WriteTextAsync(LogLines.Header(step.Name));

        var writer = _log.CreateWriter();
        var outcome = await StartAndWaitAsync(index, step, writer);
        await writer.FlushAsync();

        var state = StateOf(outcome);
        var ending = EndingLine(outcome, step);
        if (ending is not null)
        {
            await _log.Runner.WriteTextAsync((writer.AtLineStart ? string.Empty : "\n") + ending);
        }

        if (step.AffectsResult && state is StepState.Failed or StepState.TimedOut && outcome.End != StepEnd.Stopped)
        {
            _progress.RecordFailure(Problem(step, outcome), timedOut: state == StepState.TimedOut);
        }

        if (step.Phase == "script")
        {
            _progress.RecordScriptPhase(state == StepState.Success);
        }

        await _log.ReportStepAsync(new StepReport(
            FirstStepIndex + index, step.Name, state, outcome.ExitCode, logStart, _log.Offset, startedAt, _timeProvider.GetUtcNow()));
    }

    private async Task<StepOutcome> StartAndWaitAsync(int index, StepPlan step, MaskingLogWriter writer)
    {
        try
        {
            return step.Kind switch
            {
                StepKind.Checkout => await CheckoutAsync(step, writer),
                StepKind.SetupRemoteDocker => await SetupRemoteDockerAsync(),
                _ when StepHandlerSet.Handles(step.Kind) => await RunHandlerAsync(step, writer),
                _ => await RunProcessAsync(await PrepareRunAsync(index, step), writer, NoOutputTimeout(step)),
            };
        }
        catch (Exception e) when (e is ExecutorException or ArgumentException)
        {
            if (e is ExecutorException)
            {
                _infrastructureProblem ??= e.Message;
            }

            await _log.Runner.WriteTextAsync((writer.AtLineStart ? string.Empty : "\n") + LogLines.StartFailed(e.Message));
            return StepOutcome.NotStarted;
        }
    }

    private async Task<StepOutcome> CheckoutAsync(StepPlan step, MaskingLogWriter writer)
    {
        if (!CheckoutCommands.IsCommitId(_assignment.CommitSha))
        {
            throw new ArgumentException($"'{_assignment.CommitSha}' is not a commit id.");
        }

        var directory = await StepDirectoryAsync(step);
        var environment = Environment(step);
        environment["GIT_TERMINAL_PROMPT"] = "0";
        environment.TryAdd("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");

        // As on the server: no remote helper (ext:: runs a command) can be reached through the project's URL.
        environment["GIT_ALLOW_PROTOCOL"] = "https:http:ssh:git:file";
        var alreadyCloned = await _node.ExistsAsync(Path.Combine(directory, ".git"), CancellationToken.None);
        var commands = CheckoutCommands.For(await _node.CheckoutSourceAsync(_assignment.RepositoryUrl, _stop.Stopping), _assignment.CommitSha, _assignment.Branch, _assignment.Dialect, alreadyCloned, step.Checkout);
        foreach (var command in commands)
        {
            await _log.Runner.WriteTextAsync(LogLines.Command(command));
            var outcome = await RunProcessAsync(new StepLaunch(command, environment, directory), writer, NoOutputTimeout(step));
            if (!outcome.Succeeded)
            {
                return outcome;
            }
        }

        return new StepOutcome(StepEnd.Exited, 0);
    }

    /// <summary>A job-data step (caches, workspaces, artifacts, test results): its handler, with what it needs of this run.</summary>
    private async Task<StepOutcome> RunHandlerAsync(StepPlan step, MaskingLogWriter writer)
    {
        var scope = new StepScope
        {
            Assignment = _assignment,
            Node = _node,
            Server = _options.Server,
            SpoolDirectory = SpoolDirectory,
            Time = _timeProvider,
            JobDirectory = await StepDirectoryAsync(step),
            Environment = Environment(step),
            SecretNames = _assignment.Variables.Where(v => v.Secret).Select(v => v.Name).ToHashSet(StringComparer.Ordinal),
            Masker = _log.Masker,
            Log = writer,
            Stopping = _stop.Stopping,
        };
        try
        {
            return new StepOutcome(StepEnd.Exited, await StepHandlerSet.RunAsync(step, scope));
        }
        catch (OperationCanceledException) when (_stop.IsStopping)
        {
            _stopReason = _stop.Reason;
            return new StepOutcome(StepEnd.Stopped, null);
        }
    }

    /// <summary>CircleCI's <c>setup_remote_docker</c>: the steps after it get the engine the executor gives (DOCKER_HOST).</summary>
    private async Task<StepOutcome> SetupRemoteDockerAsync()
    {
        if (_node.RemoteDockerHost is not { } host)
        {
            await _log.Runner.WriteTextAsync(_node.RemoteDockerRefusal + "\n");
            return new StepOutcome(StepEnd.Exited, 1);
        }

        _dockerHost = host;
        await _log.Runner.WriteTextAsync($"The steps after this one reach a Docker engine at DOCKER_HOST={host}.\n");
        return new StepOutcome(StepEnd.Exited, 0);
    }

    /// <summary>Writes the step's command to a script in the scratch folder and returns how to run it with the step's shell.</summary>
    private async Task<StepLaunch> PrepareRunAsync(int index, StepPlan step)
    {
        var directory = await StepDirectoryAsync(step);
        var command = step.Command ?? string.Empty;
        // A Travis phase's script (from the Pipeline) carries the shell state between phases itself.
        var script = command.EndsWith('\n') ? command : command + "\n";
        var name = string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.sh");
        var scriptPath = await _node.WriteScratchFileAsync(name, script, CancellationToken.None);
        var arguments = ShellCommandLine.Split(_node.StepShell(step.Shell));
        arguments.Add(scriptPath);
        return new StepLaunch(arguments, Environment(step), directory) { AsRoot = step.AsRoot };
    }

    /// <summary>Runs one process to its end, or ends it on no output for too long or when the node stops.</summary>
    private async Task<StepOutcome> RunProcessAsync(StepLaunch launch, MaskingLogWriter writer, TimeSpan noOutputTimeout)
    {
        using var watch = new NoOutputWatch(writer, _timeProvider, noOutputTimeout);
        var process = await _node.StartAsync(launch, watch, CancellationToken.None);
        var first = await Task.WhenAny(process.Exited, watch.Expired, _stop.WhenStopping);
        if (first == process.Exited)
        {
            return new StepOutcome(StepEnd.Exited, await process.Exited);
        }

        StepEnd end;
        if (first == watch.Expired)
        {
            end = StepEnd.NoOutput;
        }
        else
        {
            end = StepEnd.Stopped;
            _stopReason = _stop.Reason;
        }

        await process.StopAsync();
        return new StepOutcome(end, await process.Exited);
    }

    private async Task<string> StepDirectoryAsync(StepPlan step)
    {
        var directory = string.IsNullOrEmpty(step.WorkingDirectory)
            ? _jobDirectory
            : _node.ResolveDirectory(step.WorkingDirectory, _jobDirectory);
        await _node.CreateDirectoryAsync(directory, CancellationToken.None);
        return directory;
    }
}
