using Porthole.Execution.Processes;

namespace Porthole.Execution.StepHandlers;

/// <summary>
/// The node's own <c>tar</c>, run as the job's account: it reads (or writes) only what the job could. Its archive comes
/// out on stdout and goes in on stdin; what it complains of goes to a file in scratch, told in the step's log after.
/// </summary>
internal static class NodeTar
{
    /// <summary>
    /// <c>$1</c>: the complaints file; <c>$2</c>: the folder the names are relative to; the rest: the names to archive. A
    /// name that does not exist is a warning, not an error (exit 3 when none does).
    /// </summary>
    private const string CreateScript = """
        err=$1; base=$2; shift 2
        exec 2>>"$err"
        cd "$base" || exit 4
        for p do
          shift
          if [ -e "$p" ] || [ -h "$p" ]; then set -- "$@" "$p"; else printf 'Warning: %s does not exist.\n' "$p" >&2; fi
        done
        [ "$#" -gt 0 ] || exit 3
        exec tar -cf - -- "$@"
        """;

    /// <summary><c>$1</c>: the complaints file; <c>$2</c>: the folder to extract in (made when missing).</summary>
    private const string ExtractScript = """
        err=$1; exec 2>>"$err"
        mkdir -p -- "$2" && cd "$2" && exec tar -xf -
        """;

    /// <summary><c>$1</c>: the file to print.</summary>
    private const string CatScript = """exec cat -- "$1" """;

    /// <summary><c>$1</c>: the folder to list; <c>$2</c>: how deep. One relative path a line.</summary>
    private const string ListScript = """cd "$1" && exec find . -mindepth 1 -maxdepth "$2" """;

    /// <summary>Exit code of <see cref="CreateAsync"/> when none of the names exists.</summary>
    public const int NothingToArchive = 3;

    /// <summary>Exit code when the base folder does not exist.</summary>
    public const int NoBaseFolder = 4;

    /// <summary>Archives <paramref name="names"/> (relative to <paramref name="baseFolder"/>) and hands the tar stream to <paramref name="consume"/>.</summary>
    public static async Task<TarRun> CreateAsync(StepScope scope, string baseFolder, IReadOnlyList<string> names, Func<Stream, Task> consume)
    {
        var complaints = await scope.Node.WriteScratchFileAsync("tar-complaints", string.Empty, CancellationToken.None);
        var (code, consumeFailure) = await CaptureAsync(scope, CreateScript, [complaints, baseFolder, .. names], consume);
        return new TarRun(code, ReadComplaints(scope, complaints), consumeFailure);
    }

    /// <summary>Extracts what <paramref name="produce"/> writes (a tar stream) in <paramref name="folder"/>.</summary>
    public static async Task<TarRun> ExtractAsync(StepScope scope, string folder, Func<Stream, Task> produce)
    {
        var complaints = await scope.Node.WriteScratchFileAsync("tar-complaints", string.Empty, CancellationToken.None);
        Exception? produceFailure = null;
        var fed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Input(Stream stdin, CancellationToken cancellationToken)
        {
            try
            {
                await produce(stdin);
            }
            catch (Exception e)
            {
                produceFailure = e;
            }
            finally
            {
                fed.TrySetResult();
            }
        }

        var code = await NodeCommand.RunAsync(scope, ExtractScript, [complaints, folder], scope.JobDirectory, scope.Log, Input);
        // tar may exit before it read everything (it refused the archive): the feed ends with a broken pipe then.
        await Task.WhenAny(fed.Task, Task.Delay(TimeSpan.FromSeconds(10), scope.Time));
        return new TarRun(code, ReadComplaints(scope, complaints), produceFailure);
    }

    /// <summary>A file of the node, as the job reads it, to <paramref name="consume"/>; the exit code of <c>cat</c> (non-zero: no such file).</summary>
    public static async Task<int> ReadFileAsync(StepScope scope, string path, Func<Stream, Task> consume)
    {
        var (code, failure) = await CaptureAsync(scope, CatScript, [path], consume);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return code;
    }

    /// <summary>The relative paths (<c>./a/b</c>) under <paramref name="folder"/> down to <paramref name="depth"/> levels; null when the folder is missing.</summary>
    public static async Task<IReadOnlyList<string>?> ListAsync(StepScope scope, string folder, int depth)
    {
        var lines = new List<string>();
        var code = await ReadLinesAsync(scope, ListScript, [folder, depth.ToString(System.Globalization.CultureInfo.InvariantCulture)], lines);
        return code == 0 ? lines : null;
    }

    private static async Task<int> ReadLinesAsync(StepScope scope, string script, IReadOnlyList<string> arguments, List<string> lines)
    {
        var (code, failure) = await CaptureAsync(scope, script, arguments, async stdout =>
        {
            using var reader = new StreamReader(stdout);
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }
        });
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        return code;
    }

    /// <summary>
    /// Runs a script on the node with its stdout handed to <paramref name="consume"/> as it comes; the exit code, and what
    /// <paramref name="consume"/> threw (the command is not held up by a reader that gave up: what it writes after is dropped).
    /// </summary>
    private static async Task<(int Code, Exception? ConsumeFailure)> CaptureAsync(
        StepScope scope, string script, IReadOnlyList<string> arguments, Func<Stream, Task> consume)
    {
        await using var stdout = new StdoutStream();
        var consuming = Task.Run(async () =>
        {
            try
            {
                await using var reader = stdout.Reader;
                await consume(reader);
            }
            finally
            {
                stdout.StopReading();
            }
        });

        int code;
        try
        {
            code = await NodeCommand.RunAsync(scope, script, arguments, scope.JobDirectory, stdout);
        }
        finally
        {
            stdout.Complete();
        }

        try
        {
            await consuming;
            return (code, null);
        }
        catch (Exception e)
        {
            return (code, e);
        }
    }

    /// <summary>What tar said, read back from scratch without following anything the node left there (at most 16 KB).</summary>
    private static string ReadComplaints(StepScope scope, string path)
    {
        using var file = RegularFile.OpenRead(scope.Node.HostPathOf(path));
        if (file is null)
        {
            return string.Empty;
        }

        var buffer = new byte[16 * 1024];
        var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
    }
}

/// <summary>How a node's tar ended: its exit code, what it complained of, and what went wrong on the runner's side of the pipe.</summary>
internal sealed record TarRun(int ExitCode, string Complaints, Exception? RunnerFailure);
