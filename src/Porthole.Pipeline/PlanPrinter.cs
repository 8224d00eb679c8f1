using System.Globalization;
using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis;

namespace Porthole.Pipeline;

/// <summary>The plan as `porthole config validate` shows it: workflows, their jobs, and each job's steps.</summary>
public static class PlanPrinter
{
    public static string Print(PipelinePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        var dialect = plan.Dialect == ConfigDialect.CircleCi ? "CircleCI" : "Travis";
        text.Append(CultureInfo.InvariantCulture, $"{dialect} config {plan.ConfigPath}\n");
        foreach (var orb in plan.Orbs)
        {
            text.Append(CultureInfo.InvariantCulture, $"orb: {orb.Alias} = {orb.Reference} → {orb.Version}\n");
        }

        foreach (var parameter in plan.Parameters)
        {
            text.Append(CultureInfo.InvariantCulture, $"parameter: {parameter.Name} = {parameter.Value}\n");
        }

        foreach (var workflow in plan.Workflows)
        {
            text.Append(CultureInfo.InvariantCulture, $"workflow: {workflow.Name}\n");
            foreach (var job in workflow.Jobs)
            {
                PrintJob(text, job);
            }
        }

        return text.ToString();
    }

    private static void PrintJob(StringBuilder text, JobPlan job)
    {
        text.Append(CultureInfo.InvariantCulture, $"  job: {job.Name}\n");
        if (job.Requires.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"    requires: {string.Join(", ", job.Requires)}\n");
        }

        if (job.Type == JobType.Approval)
        {
            text.Append("    type: approval (waits for a member with write access to approve it)\n");
            return;
        }

        if (job.Contexts.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"    contexts: {string.Join(", ", job.Contexts)}\n");
        }

        if (job.ResourceClass is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"    resource class: {job.ResourceClass}\n");
        }

        var nodes = job.Parallelism == 1 ? "1 node" : $"{job.Parallelism} nodes";
        text.Append(CultureInfo.InvariantCulture, $"    parallelism: {job.Parallelism} ({nodes})\n");
        text.Append(CultureInfo.InvariantCulture, $"    executor: {Executor(job.Executor)}\n");
        PrintContainers(text, job.Executor.Containers);
        text.Append(CultureInfo.InvariantCulture, $"    working directory: {job.WorkingDirectory ?? "(the checkout)"}\n");
        if (job.Environment.Count > 0)
        {
            text.Append("    environment:\n");
            foreach (var variable in job.Environment)
            {
                text.Append(CultureInfo.InvariantCulture, $"      {variable.Name}={variable.Value}\n");
            }
        }

        text.Append("    steps:\n");
        for (var i = 0; i < job.Steps.Count; i++)
        {
            PrintStep(text, i + 1, job.Steps[i]);
        }
    }

    private static void PrintStep(StringBuilder text, int number, StepPlan step)
    {
        var details = new List<string>
        {
            Kind(step.Kind),
            $"when {When(step.When)}",
        };
        if (step.Background)
        {
            details.Add("background");
        }

        if (!step.AffectsResult)
        {
            details.Add("result ignored");
        }

        if (step.IsDeploy)
        {
            details.Add("deploy: node 0, after every node succeeded");
        }

        if (step.AddSshKeys is { } keys)
        {
            details.Add(keys.Fingerprints.Count == 0 ? "all the project's additional keys" : $"keys {string.Join(", ", keys.Fingerprints)}");
        }

        if (step.WorkingDirectory is not null)
        {
            details.Add($"in {step.WorkingDirectory}");
        }

        if (step.NoOutputTimeout is { } timeout)
        {
            details.Add($"no output timeout {Duration(timeout)}");
        }

        details.Add($"shell {step.Shell}");
        text.Append(CultureInfo.InvariantCulture, $"      {number}. {step.Name} [{string.Join(", ", details)}]\n");
        foreach (var variable in step.Environment)
        {
            text.Append(CultureInfo.InvariantCulture, $"         {variable.Name}={variable.Value}\n");
        }

        if (JobDataLine(step) is { } data)
        {
            text.Append(CultureInfo.InvariantCulture, $"         {data}\n");
        }

        foreach (var line in CommandLines(step))
        {
            text.Append(CultureInfo.InvariantCulture, $"         $ {line}\n");
        }
    }

    /// <summary>A run step's first line; for a Travis phase, the first line of each of its commands.</summary>
    private static IEnumerable<string> CommandLines(StepPlan step)
    {
        if (step.Command is null)
        {
            return [];
        }

        if (step.Phase is not null)
        {
            return PhaseHeader.ReadCommands(step.Command);
        }

        var lines = step.Command.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var first = lines.FindIndex(line => line.Trim().Length > 0);
        if (first < 0)
        {
            return [];
        }

        var more = lines.Skip(first + 1).Any(line => line.Trim().Length > 0);
        return [lines[first].Trim() + (more ? " …" : "")];
    }

    /// <summary>What a job-data step works on, in one line: <c>save_cache key=v1-{{ .Branch }} paths=[node_modules]</c>.</summary>
    private static string? JobDataLine(StepPlan step) => step switch
    {
        { SaveCache: { } save } => $"save_cache key={Value(save.Key)} paths={Values(save.Paths)}{(save.Replace ? " replace" : "")}",
        { RestoreCache: { } restore } => $"restore_cache keys={Values(restore.Keys)}{(restore.Exact ? " exact" : "")}",
        { PersistToWorkspace: { } persist } => $"persist_to_workspace root={Value(persist.Root)} paths={Values(persist.Paths)}",
        { AttachWorkspace: { } attach } => $"attach_workspace at={Value(attach.At)}",
        { StoreArtifacts: { } artifacts } => $"store_artifacts path={Value(artifacts.Path)}"
            + (artifacts.Destination is { } destination ? $" destination={Value(destination)}" : ""),
        { StoreTestResults: { } results } => $"store_test_results path={Value(results.Path)}",
        _ => null,
    };

    private static string Values(IReadOnlyList<string> values) => $"[{string.Join(", ", values.Select(Value))}]";

    /// <summary>A value as written, single-quoted when a space, a quote, a comma or a bracket would make the line ambiguous.</summary>
    private static string Value(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or ',' or '[' or ']')
            ? value
            : ShellQuote.Single(value);

    /// <summary>One line: <c>docker cimg/ruby:3.2 + postgres:15 (db)</c>, the primary image first.</summary>
    private static string Executor(ExecutorSpec executor) => executor.Kind switch
    {
        ExecutorKind.Docker when executor.Containers.Count > 0 => "docker " + string.Join(" + ", executor.Containers.Select(Container)),
        ExecutorKind.Docker => $"docker {executor.Image}",
        ExecutorKind.Machine => executor.Image is null ? "machine" : $"machine {executor.Image}",
        ExecutorKind.MacOs => executor.Description ?? "macos",
        ExecutorKind.Windows => executor.Description ?? "windows",
        _ => "shell",
    };

    private static string Container(ContainerSpec container) =>
        container.Name is null ? container.Image : $"{container.Image} ({container.Name})";

    /// <summary>
    /// A line for each container that sets more than its image. The primary's environment is already in the job's;
    /// of the registry login only the user name is shown, never the password.
    /// </summary>
    private static void PrintContainers(StringBuilder text, IReadOnlyList<ContainerSpec> containers)
    {
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i];
            var details = new List<string>();
            if (container.Entrypoint is { } entrypoint)
            {
                details.Add($"entrypoint {Words(entrypoint)}");
            }

            if (container.Command is { } command)
            {
                details.Add($"command {Words(command)}");
            }

            if (container.User is { } user)
            {
                details.Add($"user {user}");
            }

            if (container.Auth is { } auth)
            {
                details.Add($"auth: {auth.Username}");
            }

            var environment = i == 0 ? [] : container.Environment;
            if (details.Count == 0 && environment.Count == 0)
            {
                continue;
            }

            var suffix = details.Count == 0 ? "" : $" [{string.Join(", ", details)}]";
            text.Append(CultureInfo.InvariantCulture, $"      {Container(container)}{suffix}\n");
            foreach (var variable in environment)
            {
                text.Append(CultureInfo.InvariantCulture, $"         {variable.Name}={variable.Value}\n");
            }
        }
    }

    /// <summary>Words as a shell would read them back: a word with a space, a quote or a <c>$</c> in it is single-quoted.</summary>
    private static string Words(IReadOnlyList<string> words) =>
        words.Count == 0
            ? "(none)"
            : string.Join(" ", words.Select(word => word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '$' or '`')
                ? word
                : ShellQuote.Single(word)));

    private static string Kind(StepKind kind) => kind switch
    {
        StepKind.Checkout => "checkout",
        StepKind.SetupRemoteDocker => "setup_remote_docker",
        StepKind.SaveCache => "save_cache",
        StepKind.RestoreCache => "restore_cache",
        StepKind.PersistToWorkspace => "persist_to_workspace",
        StepKind.AttachWorkspace => "attach_workspace",
        StepKind.StoreArtifacts => "store_artifacts",
        StepKind.StoreTestResults => "store_test_results",
        StepKind.AddSshKeys => "add_ssh_keys",
        _ => "run",
    };

    private static string When(StepCondition when) => when switch
    {
        StepCondition.Always => "always",
        StepCondition.OnFail => "on_fail",
        _ => "on_success",
    };

    private static string Duration(TimeSpan duration)
    {
        var text = new StringBuilder();
        if (duration.TotalHours >= 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h");
        }

        if (duration.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0 || text.Length == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        return text.ToString();
    }
}
