using System.Globalization;
using System.Text;
using Porthole.Contracts.Plans;
using Porthole.Contracts.Runners;

namespace Porthole.Ssh.Debugging;

/// <summary>
/// One step of the plan as a debug session runs it (R-DBG-4): the runner's shell line and script, the step's own
/// variables on top of the job's, its directory, and the names of the shell functions that run it.
/// </summary>
/// <param name="Index">The step's 0-based index in the plan (<c>porthole_run_step N</c>).</param>
/// <param name="Arguments">The shell line split as the runner splits it, then the script.</param>
/// <param name="Functions">Every function that runs this step: <c>porthole_run_SLUG</c>, and <c>travis_run_PHASE</c> for a Travis phase.</param>
/// <param name="Summary">The first line of the step's command (a typed step's kind and what it names), for <c>porthole_steps</c>.</param>
/// <param name="Request">For a typed step (a cache, workspace, artifacts or test results step), the files through which its
/// functions ask the runner to run it; null for a step the window's shell runs itself.</param>
internal sealed record DebugStep(
    int Index,
    string Name,
    string Directory,
    IReadOnlyList<string> Arguments,
    string ScriptPath,
    string Script,
    string EnvironmentPath,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Functions,
    string Summary,
    DebugRequestFiles? Request = null);

/// <summary>
/// How a window asks the runner to run a typed step (<see cref="DebugStepRequests"/>), as the windows see the files: it
/// writes a fresh nonce into <paramref name="RequestPath"/>; the runner answers in <paramref name="ReplyPath"/>
/// (<c>NONCE running</c>, then <c>NONCE exited CODE end</c>) and writes what it says into <paramref name="OutputPath"/>.
/// </summary>
internal sealed record DebugRequestFiles(string RequestPath, string ReplyPath, string OutputPath);

/// <summary>Turns a plan's steps into <see cref="DebugStep"/>s, and a checkout step into the runner's git commands.</summary>
internal static class DebugSteps
{
    public const string DefaultShell = "/bin/bash -eo pipefail";

    /// <summary>The Travis phases that get a <c>travis_run_*</c> function, as the seed names them.</summary>
    public static readonly IReadOnlyList<string> TravisPhases =
        ["before_install", "install", "before_script", "script", "before_cache", "after_success", "after_failure", "after_script"];

    /// <param name="resolveDirectory">The node's <c>ResolveDirectory</c>, relative to the job's working directory.</param>
    /// <param name="checkoutSource">Where a checkout fetches from: the node's <c>CheckoutSource</c> of the project's repository.</param>
    /// <param name="stepPath">Where a step's file of that name is, as the session's windows see it.</param>
    /// <param name="bashPath">The shell a checkout's commands run with in the session.</param>
    /// <param name="requestPath">Where a typed step's request file of that name is, as the windows see it (one they can write); the steps' folder by default.</param>
    /// <param name="stepShell">The node's <c>StepShell</c>: the shell line a step runs with given the config's (an image without bash runs the default with sh).</param>
    public static List<DebugStep> For(
        NodeAssignment assignment,
        string checkoutSource,
        Func<string, string> stepPath,
        string bashPath,
        Func<string?, string> resolveDirectory,
        Func<string, string>? requestPath = null,
        Func<string, string>? stepShell = null)
    {
        requestPath ??= stepPath;
        stepShell ??= shell => shell;
        var steps = new List<DebugStep>();
        var taken = new HashSet<string>(StringComparer.Ordinal) { "porthole_run_step", "porthole_steps" };
        for (var index = 0; index < assignment.Job.Steps.Count; index++)
        {
            var step = assignment.Job.Steps[index];
            var functions = new List<string>();
            var slug = "porthole_run_" + Slug(step.Name, index);
            if (!taken.Add(slug))
            {
                slug = string.Create(CultureInfo.InvariantCulture, $"{slug}_{index}");
                taken.Add(slug);
            }

            functions.Add(slug);
            if (step.Phase is { } phase && TravisPhases.Contains(phase) && taken.Add("travis_run_" + phase))
            {
                functions.Add("travis_run_" + phase);
            }

            var environment = step.Environment.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
            var scriptPath = stepPath(string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.sh"));
            var environmentPath = stepPath(string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.env"));
            string script;
            List<string> arguments;
            string summary;
            DebugRequestFiles? request = null;
            if (Execution.StepHandlers.StepHandlerSet.HandlesInDebug(step))
            {
                // Not a script of the window's: the runner runs it with its own code (tar on the node, the upload), or as
                // root in the container (the window's shell is the container's user), when a window asks.
                script = string.Empty;
                arguments = [];
                summary = step.AsRoot ? $"{FirstLine(step.Command ?? string.Empty)} (run as root by the runner)" : TypedSummary(step);
                request = new DebugRequestFiles(
                    requestPath(string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.request")),
                    stepPath(string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.reply")),
                    stepPath(string.Create(CultureInfo.InvariantCulture, $"step-{index:D3}.out")));
            }
            else if (step.Kind == StepKind.Checkout)
            {
                environment["GIT_TERMINAL_PROMPT"] = "0";
                environment.TryAdd("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");

                // Run again in a session, the checkout fetches into the clone the debug section made, as over a restored cache.
                var text = new StringBuilder("set -e\n");
                foreach (var command in Execution.Steps.CheckoutCommands.For(checkoutSource, assignment.CommitSha, assignment.Branch, assignment.Dialect, alreadyCloned: true, step.Checkout))
                {
                    text.Append("printf '$ %s\\n' ").Append(Endpoints.ShellQuote.Single(string.Join(' ', command))).Append('\n');
                    text.AppendJoin(' ', command.Select(Endpoints.ShellQuote.Single)).Append('\n');
                }

                script = text.ToString();
                arguments = [bashPath, scriptPath];
                summary = $"checkout {assignment.CommitSha}";
            }
            else
            {
                var command = step.Command ?? string.Empty;
                script = command.EndsWith('\n') ? command : command + "\n";
                arguments = Execution.Steps.ShellCommandLine.Split(stepShell(string.IsNullOrWhiteSpace(step.Shell) ? DefaultShell : step.Shell));
                arguments.Add(scriptPath);
                summary = FirstLine(command);
            }

            steps.Add(new DebugStep(
                index,
                step.Name,
                resolveDirectory(step.WorkingDirectory),
                arguments,
                scriptPath,
                script,
                environmentPath,
                environment,
                functions,
                summary,
                request));
        }

        return steps;
    }

    /// <summary>A typed step as <c>porthole_steps</c> lists it: its CircleCI name and what it names (<c>save_cache deps-{{ .Branch }}</c>).</summary>
    public static string TypedSummary(StepPlan step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var text = step switch
        {
            { SaveCache: { } save } => $"save_cache {save.Key}",
            { RestoreCache: { } restore } => $"restore_cache {string.Join(", ", restore.Keys)}",
            { PersistToWorkspace: { } persist } => $"persist_to_workspace {persist.Root}: {string.Join(", ", persist.Paths)}",
            { AttachWorkspace: { } attach } => $"attach_workspace {attach.At}",
            { StoreArtifacts: { Destination: { } destination } artifacts } => $"store_artifacts {artifacts.Path} as {destination}",
            { StoreArtifacts: { } artifacts } => $"store_artifacts {artifacts.Path}",
            { StoreTestResults: { } results } => $"store_test_results {results.Path}",
            _ => step.Kind.ToString(),
        };
        text = text.ReplaceLineEndings(" ");
        return text.Length > 80 ? text[..77] + "..." : text;
    }

    /// <summary>A step's name as a shell function's: lower case, every other character than a letter or digit an underscore.</summary>
    public static string Slug(string name, int index)
    {
        var slug = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        return slug.Length == 0 ? string.Create(CultureInfo.InvariantCulture, $"step_{index}") : slug.ToString();
    }

    private static string FirstLine(string command)
    {
        foreach (var line in command.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                return trimmed.Length > 80 ? trimmed[..77] + "..." : trimmed;
            }
        }

        return string.Empty;
    }
}
