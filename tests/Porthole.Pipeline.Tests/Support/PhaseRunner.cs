using System.Diagnostics;
using System.Text;
using Porthole.Contracts.Plans;

namespace Porthole.Pipeline.Tests.Support;

/// <summary>
/// Runs a Travis job's phase steps the way the runner does: each step its own <c>/bin/bash FILE</c> process
/// in the checkout, with the job's environment, skipped or run by its condition.
/// </summary>
internal sealed class PhaseRunner : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "porthole-phases-" + Guid.NewGuid().ToString("N"));

    public PhaseRunner()
    {
        Directory.CreateDirectory(Checkout);
        Directory.CreateDirectory(Path.Combine(Checkout, ".git"));
        Directory.CreateDirectory(Path.Combine(_root, "scripts"));
    }

    public string Checkout => Path.Combine(_root, "checkout");

    public List<(string Step, int ExitCode)> Results { get; } = [];

    public StringBuilder Output { get; } = new();

    public bool Failed { get; private set; }

    public PhaseRunner Run(JobPlan job)
    {
        foreach (var step in job.Steps.Where(step => step.Kind == StepKind.Run))
        {
            var runs = step.When switch
            {
                StepCondition.Always => true,
                StepCondition.OnFail => Failed,
                _ => !Failed,
            };
            if (!runs)
            {
                continue;
            }

            var exitCode = RunScript(step, job.Environment);
            Results.Add((step.Name, exitCode));
            if (exitCode != 0 && step.AffectsResult)
            {
                Failed = true;
            }
        }

        return this;
    }

    public int ExitCodeOf(string step) => Results.Single(result => result.Step == step).ExitCode;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private int RunScript(StepPlan step, IReadOnlyList<EnvironmentVariable> environment)
    {
        var file = Path.Combine(_root, "scripts", step.Name + ".sh");
        File.WriteAllText(file, step.Command);
        var start = new ProcessStartInfo(step.Shell)
        {
            WorkingDirectory = Checkout,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(file);
        foreach (var variable in environment)
        {
            start.Environment[variable.Name] = variable.Value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{step.Name} did not finish");
        }

        Output.Append(output.Result).Append(error.Result);
        return process.ExitCode;
    }
}
