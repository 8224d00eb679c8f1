using System.Text;
using Microsoft.Extensions.Options;
using Porthole.Contracts.Runners;
using Porthole.Server.Logs;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>The offset rules of the runner protocol's log append, on the real files.</summary>
public sealed class LogStoreTests : IDisposable
{
    private readonly TempFolder _data = new();
    private readonly LogStore _store;

    public LogStoreTests()
    {
        _store = new LogStore(Options.Create(new PortholeOptions { DataDirectory = _data.Path }));
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_repeated_append_is_a_no_op_an_overlap_adds_only_the_new_bytes_and_a_gap_is_refused()
    {
        Assert.Equal(new LogAppendResult(LogAppendOutcome.Appended, 5), await AppendAsync(0, "hello"));
        Assert.Equal(new LogAppendResult(LogAppendOutcome.AlreadyStored, 5), await AppendAsync(0, "hello"));
        Assert.Equal(new LogAppendResult(LogAppendOutcome.AlreadyStored, 5), await AppendAsync(2, "llo"));
        Assert.Equal(new LogAppendResult(LogAppendOutcome.Appended, 11), await AppendAsync(3, "lo world"));
        Assert.Equal(new LogAppendResult(LogAppendOutcome.Gap, 11), await AppendAsync(20, "lost?"));
        Assert.Equal("hello world", Encoding.UTF8.GetString(await _store.ReadAsync(1, 0, 100, CancellationToken.None)));
        Assert.Equal("world", Encoding.UTF8.GetString(await _store.ReadAsync(1, 6, 100, CancellationToken.None)));
    }

    [Fact]
    public async Task A_new_store_on_the_same_folder_continues_at_the_stored_length()
    {
        await AppendAsync(0, "before restart\n");
        var restarted = new LogStore(Options.Create(new PortholeOptions { DataDirectory = _data.Path }));
        Assert.Equal(15, restarted.Length(1));
        var result = await restarted.AppendAsync(1, 15, Encoding.UTF8.GetBytes("after\n"), CancellationToken.None);
        Assert.Equal(LogAppendOutcome.Appended, result.Outcome);
        Assert.Equal("before restart\nafter\n", Encoding.UTF8.GetString(await restarted.ReadAsync(1, 0, 100, CancellationToken.None)));
    }

    private Task<LogAppendResult> AppendAsync(long offset, string text) =>
        _store.AppendAsync(1, offset, Encoding.UTF8.GetBytes(text), CancellationToken.None);
}
