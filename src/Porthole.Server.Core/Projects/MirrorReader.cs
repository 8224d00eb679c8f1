using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Porthole.Server.Projects;

/// <summary>A file of a commit: its size, and its bytes when they were wanted (null: it was over the limit asked for).</summary>
public sealed record MirrorFile(long Size, byte[]? Content);

/// <summary>
/// One <c>git cat-file --batch</c> over a project's mirror, for the lookups of one trigger: the commits of refs and the
/// config file at a commit, each answered by the same process (a git started per lookup costs more than the lookup).
/// Not for use by two callers at once.
/// </summary>
/// <remarks>
/// git reads one name per line; a name that holds a line break or another control character (which no ref, commit or
/// config path has) is answered "none" without reaching git, so nothing a user names can add a lookup of its own.
/// </remarks>
public sealed class MirrorReader : IAsyncDisposable
{
    private const int MaxHeaderBytes = 4096;

    private readonly Process _process;
    private readonly Stream _output;
    private readonly Task<string> _errors;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private MirrorReader(Process process)
    {
        _process = process;
        _output = process.StandardOutput.BaseStream;
        _errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
    }

    public static MirrorReader Open(string mirror)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--git-dir", mirror, "cat-file", "--batch"])
        {
            start.ArgumentList.Add(argument);
        }

        Git.Protect(start);
        return new MirrorReader(Process.Start(start) ?? throw new InvalidOperationException("git could not be started"));
    }

    /// <summary>The commit a revision (a full ref name, a commit id) names; null when it names none.</summary>
    public async Task<string?> CommitAsync(string revision, CancellationToken ct)
    {
        var found = await LookUpAsync(revision + "^{commit}", maxBytes: 1024 * 1024, ct);
        return found?.Type == "commit" ? found.Value.Id : null;
    }

    /// <summary>The message of <paramref name="commit"/> (what follows its headers), at most 64 KiB of it; null when there is no such commit.</summary>
    public async Task<string?> CommitMessageAsync(string commit, CancellationToken ct)
    {
        var found = await LookUpAsync(commit, maxBytes: 1024 * 1024, ct);
        if (found is not { Type: "commit", Content: { } content })
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(content);
        var body = text.IndexOf("\n\n", StringComparison.Ordinal);
        var message = body < 0 ? "" : text[(body + 2)..].TrimEnd('\n');
        return message.Length > 64 * 1024 ? message[..(64 * 1024)] : message;
    }

    /// <summary>
    /// The file at <paramref name="path"/> in <paramref name="commit"/>: its size, and its bytes unless it is larger than
    /// <paramref name="maxBytes"/>; null when there is no such file.
    /// </summary>
    public async Task<MirrorFile?> FileAsync(string commit, string path, long maxBytes, CancellationToken ct)
    {
        var found = await LookUpAsync($"{commit}:{path}", maxBytes, ct);
        return found?.Type == "blob" ? new MirrorFile(found.Value.Size, found.Value.Content) : null;
    }

    private async Task<(string Id, string Type, long Size, byte[]? Content)?> LookUpAsync(string name, long maxBytes, CancellationToken ct)
    {
        if (name.Any(char.IsControl))
        {
            return null;
        }

        await _process.StandardInput.WriteAsync((name + "\n").AsMemory(), ct);
        await _process.StandardInput.FlushAsync(ct);
        var header = await ReadLineAsync(ct);

        // "<id> <type> <size>", or "<name> missing" / "<name> ambiguous": the answer's last word says which.
        var parts = header.Split(' ');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return null;
        }

        // The content (read, or passed over when it is too large) and the line break after it.
        var content = size <= maxBytes ? new byte[size] : null;
        await ReadAsync(content, content is null ? size + 1 : 1, ct);
        return (parts[0], parts[1], size, content);
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start);
                _start = newline + 1;
                return line;
            }

            if (_end - _start >= MaxHeaderBytes)
            {
                throw new InvalidDataException("git's answer has no end of line");
            }

            Compact();
            await FillAsync(ct);
        }
    }

    /// <summary>Reads all of <paramref name="target"/> (when there is one), then passes over <paramref name="skip"/> bytes more.</summary>
    private async Task ReadAsync(byte[]? target, long skip, CancellationToken ct)
    {
        var wanted = (target?.Length ?? 0) + skip;
        for (long done = 0; done < wanted;)
        {
            if (_start == _end)
            {
                _start = _end = 0;
                await FillAsync(ct);
            }

            var take = (int)Math.Min(wanted - done, _end - _start);
            if (target is not null && done < target.Length)
            {
                take = (int)Math.Min(take, target.Length - done);
                Array.Copy(_buffer, _start, target, done, take);
            }

            _start += take;
            done += take;
        }
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        var read = await _output.ReadAsync(_buffer.AsMemory(_end), ct);
        if (read == 0)
        {
            throw new InvalidDataException($"git cat-file ended: {Git.FirstLine(await _errors)}");
        }

        _end += read;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // It did not end when its input did: it is ended by its id.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
