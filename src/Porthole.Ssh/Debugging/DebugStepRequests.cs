using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Processes;
using Porthole.Execution.Sections;
using Porthole.Execution.StepHandlers;
using Porthole.Ssh.Endpoints;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// The runner's side of a debug session's typed steps (caches, workspaces, artifacts, test results: issue 11). They are
/// not scripts a window's shell can run: their functions write a fresh nonce into the step's request file
/// (<see cref="DebugRequestFiles"/>), and this, polled while the session lives, runs the step with the runner's own handler
/// (<see cref="StepHandlerSet"/>) as a node's run would, one step at a time: its reply says it took the nonce, what the
/// runner says goes into the step's output file for the window to show, and the reply ends with the exit code. A request
/// file is read without following a link and never into a device; what is not one short nonce is ignored.
/// </summary>
internal sealed partial class DebugStepRequests(
    NodeAssignment assignment,
    NodeSectionContext context,
    DebugPlacement placement,
    IReadOnlyList<DebugStep> steps,
    DebugLog log,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private const int MaxRequestBytes = 128;

    private readonly IReadOnlyList<DebugStep> _typed = [.. steps.Where(s => s.Request is not null)];
    private readonly Dictionary<int, string> _answered = [];

    /// <summary>Answers requests until <paramref name="stop"/> (the session's end, or the job's cancel, which also stops a step that runs).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (_typed.Count == 0)
        {
            return;
        }

        while (!stop.IsCancellationRequested)
        {
            foreach (var step in _typed)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                var nonce = ReadNonce(placement.HostPathOf(step.Request!.RequestPath));
                if (nonce is null || _answered.GetValueOrDefault(step.Index) == nonce)
                {
                    continue;
                }

                _answered[step.Index] = nonce;
                await AnswerAsync(step, step.Request, nonce, stop);
            }

            try
            {
                // The files are polled on the real clock: a wait for the windows, not a rule of the job.
                await Task.Delay(PollInterval, TimeProvider.System, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The nonce a request file holds, or null: no file, a link, not a regular file, or not one short word of letters, digits, <c>.</c>, <c>_</c> and <c>-</c>.</summary>
    internal static string? ReadNonce(string path)
    {
        try
        {
            using var stream = RegularFile.OpenRead(path);
            if (stream is null)
            {
                return null;
            }

            var buffer = new byte[MaxRequestBytes + 1];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read > MaxRequestBytes)
            {
                return null;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, read).TrimEnd('\n');
            return NoncePattern().IsMatch(text) ? text : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task AnswerAsync(DebugStep step, DebugRequestFiles files, string nonce, CancellationToken stop)
    {
        try
        {
            // The output is emptied before the reply says the nonce was taken: the window shows nothing of an earlier run.
            await placement.WriteAsync(files.OutputPath, string.Empty, stop);
            await placement.WriteAsync(files.ReplyPath, nonce + " running\n", stop);
            var output = new DebugStepOutput(placement, files.OutputPath, stop);
            var code = await RunStepAsync(assignment.Job.Steps[step.Index], output, stop);
            await output.FlushAsync();
            await placement.WriteAsync(files.ReplyPath, string.Create(CultureInfo.InvariantCulture, $"{nonce} exited {code} end\n"), stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The session ended (or the job was canceled) while the step ran: nobody waits for the answer.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ExecutorException)
        {
            await log.WriteAsync($"The answer to a window's porthole_run_step {step.Index} could not be written: {e.Message}\n", newLine: true);
        }
    }

    /// <summary>The step, by its handler, with what a node's run gives it (NodeRun's RunHandlerAsync); its exit code.</summary>
    private async Task<int> RunStepAsync(StepPlan plan, DebugStepOutput output, CancellationToken stop)
    {
        if (context.LogWriter is not { } writer || context.Masker is not { } masker || context.SpoolDirectory is not { } spool)
        {
            const string Refusal = "This runner cannot run the step in a debug session: its node's run gives the session no log for it.";
            await log.WriteAsync(Refusal + "\n", newLine: true);
            await output.AppendAsync(Refusal);
            return 1;
        }

        try
        {
            var directory = string.IsNullOrEmpty(plan.WorkingDirectory)
                ? context.WorkingDirectory
                : context.Node.ResolveDirectory(plan.WorkingDirectory, context.WorkingDirectory);
            await context.Node.CreateDirectoryAsync(directory, stop);
            return await StepHandlerSet.RunAsync(plan, new StepScope
            {
                Assignment = assignment,
                Node = context.Node,
                Server = context.Server,
                SpoolDirectory = spool,
                Time = timeProvider,
                JobDirectory = directory,
                Environment = Environment(plan),
                SecretNames = assignment.Variables.Where(v => v.Secret).Select(v => v.Name).ToHashSet(StringComparer.Ordinal),
                Masker = masker,
                Log = writer,
                Echo = output.AppendAsync,
                Stopping = stop,
            });
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            // As a node's run says a step that could not start; the session goes on whatever the step did.
            var line = $"The step could not run: {e.Message}";
            await writer.WriteTextAsync((writer.AtLineStart ? string.Empty : "\n") + line + "\n");
            await output.AppendAsync(line);
            return 1;
        }
        finally
        {
            if (!writer.AtLineStart)
            {
                await writer.WriteTextAsync("\n");
            }
        }
    }

    /// <summary>The job's environment (the section's) with the step's own variables on top, as a node's run gives a step.</summary>
    private Dictionary<string, string> Environment(StepPlan plan)
    {
        var environment = new Dictionary<string, string>(context.Environment, StringComparer.Ordinal);
        foreach (var variable in plan.Environment)
        {
            environment[variable.Name] = variable.Value;
        }

        return environment;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NoncePattern();
}
