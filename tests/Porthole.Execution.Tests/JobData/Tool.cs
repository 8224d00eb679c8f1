using System.Diagnostics;
using System.Text;

namespace Porthole.Execution.Tests.JobData;

/// <summary>What a real program printed and how it ended.</summary>
internal sealed record ToolResult(int ExitCode, byte[] Output, string Error)
{
    public string Text => Encoding.UTF8.GetString(Output);

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs a real program (tar, zstd, sh, busybox) for a test, feeding it stdin and collecting its output. One that
/// outlives the test's patience is ended by its own id, with its children.
/// </summary>
internal static class Tool
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    public static async Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        Stream? input = null,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        using var patience = new CancellationTokenSource(Patience);
        try
        {
            var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, patience.Token);
            var error = process.StandardError.ReadToEndAsync(patience.Token);
            try
            {
                if (input is not null)
                {
                    await input.CopyToAsync(process.StandardInput.BaseStream, patience.Token);
                }
            }
            catch (IOException)
            {
                // The program stopped reading (it refused its input); its exit code says why.
            }
            finally
            {
                process.StandardInput.Close();
            }

            await reading;
            var errorText = await error;
            await process.WaitForExitAsync(patience.Token);
            return new ToolResult(process.ExitCode, output.ToArray(), errorText);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran over {Patience.TotalSeconds} s and was ended.");
        }
    }

    public static Task<ToolResult> RunAsync(string program, params string[] arguments) => RunAsync(program, (IEnumerable<string>)arguments);
}
