using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;
using Porthole.Execution.Executors;
using Porthole.Execution.Logging;
using Porthole.Execution.Sections;
using Porthole.Execution.Shell;
using Porthole.Execution.Variables;

namespace Porthole.Execution.Steps;

/// <summary>
/// One run of one node: the runner's sections before the steps, its steps in order, their conditions, background
/// steps, timeouts, the sections after the steps, and the result. Report indexes: the sections before take
/// 0..b-1, the plan's steps follow, the sections after come last, so that the log reads in order.
/// </summary>
internal sealed partial class NodeRun
{
    /// <summary>How long a section that does not heed a cancel is waited for before the node goes on without it.</summary>
    internal static readonly TimeSpan SectionCancelGrace = TimeSpan.FromSeconds(5);

    private readonly NodeAssignment _assignment;
    private readonly NodeRunOptions _options;
    private readonly IExecutorNode _node;
    private readonly NodeLog _log;
    private readonly TimeProvider _timeProvider;
    private readonly StopSignals _stop;
    private readonly NodeSections _sections;
    private readonly string _tag;
    private readonly JobProgress _progress = new();
    private readonly List<BackgroundStep> _background = [];
    private string _jobDirectory = string.Empty;
    private string _configuredWorkingDirectory = string.Empty;
    private string _bashEnvPath = string.Empty;
    private string? _infrastructureProblem;
    private string? _dockerHost;
    private StopReason _stopReason;
    private bool _skipSteps;
    private CircleCiAgent? _circleCiAgent;
    private bool _halted;
    private bool _held;
    private bool _broke;
    private string? _skippedStepsMessage;

    /// <summary>The next section after the steps to run or report.</summary>
    private int _after;

    public NodeRun(
        NodeAssignment assignment,
        NodeRunOptions options,
        IExecutorNode node,
        NodeLog log,
        TimeProvider timeProvider,
        StopSignals stop,
        NodeSections sections,
        string tag)
    {
        _assignment = assignment;
        _options = options;
        _node = node;
        _log = log;
        _timeProvider = timeProvider;
        _stop = stop;
        _sections = sections;
        _tag = tag;
    }

    private IReadOnlyList<StepPlan> Steps => _assignment.Job.Steps;

    /// <summary>Where the job-data steps spool their archives: the runner's folder, else one beside the workspaces, out of every node's reach.</summary>
    private string SpoolDirectory => _options.SpoolDirectory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(_options.WorkspaceRoot))!, ".spool");

    /// <summary>The report index of the plan's first step: the sections before the steps come first.</summary>
    private int FirstStepIndex => FirstIndex + _sections.Before.Count;

    private int FirstAfterIndex => FirstStepIndex + Steps.Count;

    /// <summary>The report index of the first section before the steps: 1 when the executor's setting up is a step of its own.</summary>
    public int FirstIndex { get; init; }

    public async Task<NodeCompletion> RunAsync()
    {
        try
        {
            return await RunAllAsync();
        }
        finally
        {
            // Only when the run failed part-way (a fault of ours): the sections after still get a final state.
            for (; _after < _sections.After.Count; _after++)
            {
                await ReportSectionSkippedAsync(FirstAfterIndex + _after, _sections.After[_after]);
            }
        }
    }

    private async Task<NodeCompletion> RunAllAsync()
    {
        var prepared = false;
        var before = 0;
        var index = 0;
        try
        {
            prepared = await PrepareAsync();
            if (prepared)
            {
                for (; before < _sections.Before.Count; before++)
                {
                    await RunBeforeSectionAsync(FirstIndex + before, _sections.Before[before]);
                }

                if (_skipSteps && _stop.IsCanceled)
                {
                    _stopReason = StopReason.Canceled;
                }

                for (; index < Steps.Count && _infrastructureProblem is null; index++)
                {
                    if (_sections.Break is not null && !_broke && index == _sections.BreakBefore && !_skipSteps && !_halted && !_stop.IsStopping)
                    {
                        await RunBreakAsync(index);
                    }

                    if (_skipSteps || _halted || _held)
                    {
                        await ReportSkippedAsync(index, Steps[index]);
                    }
                    else
                    {
                        await RunStepAsync(index, Steps[index]);
                        if (Steps[index].Kind == StepKind.Run && _circleCiAgent?.HaltRequested() == true)
                        {
                            // CircleCI's `circleci-agent step halt`: the job ends here, successfully unless a step failed.
                            _halted = true;
                            _skippedStepsMessage ??= $"Step '{Steps[index].Name}' halted the job (circleci-agent step halt).";
                        }

                        // Held on failure (R-BEY-1): no further step runs; the node is kept for SSH as the step left it.
                        // Not when the job is stopping (a cancel, its time cap): that ends the node.
                        _held = _sections.OnFailureOnly && _progress.Failed && !_stop.IsStopping;
                        if (_sections is { Break: not null, BreakOnFailure: true } && !_broke && _progress.Failed && !_stop.IsStopping)
                        {
                            await RunBreakAsync(index);
                        }
                    }
                }
            }
        }
        finally
        {
            for (; before < _sections.Before.Count; before++)
            {
                await ReportSectionSkippedAsync(FirstIndex + before, _sections.Before[before]);
            }

            for (; index < Steps.Count; index++)
            {
                await ReportSkippedAsync(index, Steps[index]);
            }

            await EndBackgroundStepsAsync();
        }

        // The result is the steps' (R-SSH-7): what the sections after them do cannot change it, except a log that
        // can no longer be delivered, which Completion() reads again.
        var jobFailed = Completion().Result != NodeResult.Success;
        if (_sections.OnFailureOnly && !_held)
        {
            // Sections only for a held node: one that was not held never shows them.
            _after = _sections.After.Count;
        }

        for (; _after < _sections.After.Count; _after++)
        {
            var section = _sections.After[_after];
            if (!prepared || _stop.SectionStop.IsCancellationRequested)
            {
                await ReportSectionSkippedAsync(FirstAfterIndex + _after, section);
            }
            else
            {
                await RunSectionAsync(FirstAfterIndex + _after, section, jobFailed);
            }
        }

        return Completion();
    }

    /// <summary>Creates the job's working directory; false when the job cannot start.</summary>
    private async Task<bool> PrepareAsync()
    {
        var job = _assignment.Job;
        _configuredWorkingDirectory = job.WorkingDirectory
            ?? (_assignment.Dialect == ConfigDialect.Travis ? "~/build/" + TravisBuildFolder(_assignment.ProjectName) : "~/project");
        try
        {
            _jobDirectory = _node.ResolveDirectory(_configuredWorkingDirectory, _node.HomeDirectory);
        }
        catch (ArgumentException e)
        {
            _progress.RecordFailure(e.Message, timedOut: false);
            await _log.Runner.WriteTextAsync(LogLines.StartFailed(e.Message));
            return false;
        }

        try
        {
            await _node.CreateDirectoryAsync(_jobDirectory, CancellationToken.None);
            if (_assignment.Dialect == ConfigDialect.CircleCi)
            {
                _bashEnvPath = await _node.WriteScratchFileAsync("bash_env", string.Empty, CancellationToken.None);
                _circleCiAgent = await CircleCiAgent.InstallAsync(_node, _assignment, _options.Server);
            }
        }
        catch (ExecutorException e)
        {
            _infrastructureProblem = e.Message;
            await _log.Runner.WriteTextAsync(LogLines.StartFailed(e.Message));
            return false;
        }

        return true;
    }

    private async Task RunStepAsync(int index, StepPlan step)
    {
        if (_stop.IsStopping)
        {
            _stopReason = _stop.Reason;
            await ReportSkippedAsync(index, step);
        }
        else if (!StepConditions.ShouldRun(step.When, _progress.Failed))
        {
            await ReportSkippedAsync(index, step);
        }
        else if (step.IsDeploy && !await DeployMayRunAsync(step))
        {
            await ReportSkippedAsync(index, step);
        }
        else if (step.Background && step.Kind == StepKind.Run)
        {
            await StartBackgroundAsync(index, step);
        }
        else
        {
            await RunForegroundAsync(index, step);
        }
    }

    private async Task ReportSkippedAsync(int index, StepPlan step)
    {
        var now = _timeProvider.GetUtcNow();
        var offset = _log.Offset;
        await _log.ReportStepAsync(new StepReport(FirstStepIndex + index, step.Name, StepState.Skipped, null, offset, offset, now, now, step.Background));
    }

    private Dictionary<string, string> Environment(StepPlan step) => Environment(step.Environment);

    /// <summary>
    /// What a section sees: a step's environment without a step's own variables, at this moment (Travis's
    /// TRAVIS_TEST_RESULT), with the node's process tag that every step's process carries, so that a shell a section
    /// starts from it (an SSH session) is found and ended with the node, also after a runner crash.
    /// </summary>
    private Dictionary<string, string> JobEnvironment()
    {
        var environment = Environment([]);
        environment[LeftoverProcesses.TagVariable] = _tag;
        return environment;
    }

    private Dictionary<string, string> Environment(IReadOnlyList<EnvironmentVariable> stepEnvironment)
    {
        var builtIns = _assignment.Dialect == ConfigDialect.Travis
            ? TravisVariables.For(_assignment, _jobDirectory, _progress.TravisTestResult)
            : CircleCiVariables.For(_assignment, _configuredWorkingDirectory, _bashEnvPath);
        var environment = StepEnvironment.Build(_node.BaseEnvironment, builtIns, _assignment.Variables, _assignment.Job.Environment, stepEnvironment);
        if (_dockerHost is not null)
        {
            environment["DOCKER_HOST"] = _dockerHost;
        }

        if (_circleCiAgent is not null)
        {
            environment["PATH"] = environment.TryGetValue("PATH", out var path) && path.Length > 0
                ? _circleCiAgent.Directory + ":" + path
                : _circleCiAgent.Directory;
        }

        return environment;
    }

    private TimeSpan NoOutputTimeout(StepPlan step) => step.NoOutputTimeout ?? _options.DefaultNoOutputTimeout;

    private StepState StateOf(StepOutcome outcome) => outcome.End switch
    {
        StepEnd.Exited => outcome.ExitCode == 0 ? StepState.Success : StepState.Failed,
        StepEnd.NoOutput => StepState.TimedOut,
        StepEnd.Stopped => _stopReason == StopReason.JobTimeCap ? StepState.TimedOut : StepState.Canceled,
        _ => StepState.Failed,
    };

    private string? EndingLine(StepOutcome outcome, StepPlan step) => outcome.End switch
    {
        StepEnd.Exited when outcome.ExitCode is { } code && code != 0 => LogLines.ExitCode(code),
        StepEnd.NoOutput => LogLines.NoOutput(NoOutputTimeout(step)),
        StepEnd.Stopped => _stopReason switch
        {
            StopReason.JobTimeCap => LogLines.JobTimeCap(_stop.JobTimeCap),
            StopReason.LogFailed => LogLines.LogFailed(),
            _ => LogLines.Canceled(),
        },
        _ => null,
    };

    private string Problem(StepPlan step, StepOutcome outcome) => outcome.End switch
    {
        StepEnd.NoOutput => $"Step '{step.Name}' printed nothing for {DurationText.Format(NoOutputTimeout(step))} and was ended.",
        StepEnd.NotStarted => $"Step '{step.Name}' could not be started.",
        _ => string.Create(CultureInfo.InvariantCulture, $"Step '{step.Name}' failed with exit code {outcome.ExitCode}."),
    };

    private NodeCompletion Completion()
    {
        if (_stopReason == StopReason.Canceled)
        {
            return new NodeCompletion(NodeResult.Canceled, "The job was canceled.");
        }

        if (_stopReason == StopReason.JobTimeCap)
        {
            return new NodeCompletion(NodeResult.TimedOut, $"The job reached its time cap of {DurationText.Format(_stop.JobTimeCap)}.");
        }

        if (_log.Fault is { } fault)
        {
            return new NodeCompletion(NodeResult.InfrastructureFail, $"The node's log could not be delivered: {fault.Message}");
        }

        if (_infrastructureProblem is not null)
        {
            return new NodeCompletion(NodeResult.InfrastructureFail, _infrastructureProblem);
        }

        if (_progress.Failed)
        {
            return new NodeCompletion(_progress.TimedOut ? NodeResult.TimedOut : NodeResult.Failed, _progress.FirstProblem);
        }

        return new NodeCompletion(NodeResult.Success, _skippedStepsMessage);
    }

    /// <summary>Travis's <c>$HOME/build/owner/repo</c>: the project's name, kept to plain folder names.</summary>
    private static string TravisBuildFolder(string projectName)
    {
        var parts = projectName.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(p => p is not "." and not "..");
        var folder = string.Join('/', parts);
        return folder.Length == 0 ? "project" : folder;
    }
}
