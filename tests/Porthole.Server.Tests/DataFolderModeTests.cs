using System.Net.Http.Json;
using Porthole.Server.Tests.Support;

namespace Porthole.Server.Tests;

/// <summary>
/// The data folder holds every secret: 0700, and the database with its -wal and -shm 0600, whatever the umask (the
/// tests' is the usual 022, which made them 0755 and 0644); a looser folder left by an older server is tightened at start.
/// </summary>
public sealed class DataFolderModeTests : IDisposable
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempFolder _parent = new();

    public void Dispose() => _parent.Dispose();

    [Fact]
    public async Task A_new_data_folder_and_its_database_are_the_server_accounts_alone()
    {
        var data = _parent.Combine("data");
        TestDatabase.KeepOnSqlite(data); // the modes of SQLite's files are part of what is checked
        await using (var server = await RunningServer.StartAsync(data))
        {
            await server.CreateUserAsync("writer-of-a-row");
            AssertPrivate(data, expectJournalFiles: true);
            foreach (var folder in (string[])["repos", "logs", "workspaces"])
            {
                Assert.Equal(Folder, File.GetUnixFileMode(Path.Combine(data, folder)));
            }
        }
    }

    [Fact]
    public async Task An_older_looser_data_folder_is_tightened_at_start()
    {
        var data = _parent.Combine("data");
        TestDatabase.KeepOnSqlite(data); // the modes of SQLite's files are part of what is checked
        await using (var first = await RunningServer.StartAsync(data))
        {
            await first.CreateUserAsync("someone");
        }

        var open = Folder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(data, open);
        foreach (var file in DatabaseFiles(data).Where(File.Exists))
        {
            File.SetUnixFileMode(file, File600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        await using var second = await RunningServer.StartAsync(data);
        await second.CreateUserAsync("someone-else");
        AssertPrivate(data, expectJournalFiles: true);
        var users = await second.Client.GetFromJsonAsync<List<Contracts.Api.UserSummary>>("/api/users");
        Assert.Equal(3, users!.Count);
    }

    private static void AssertPrivate(string data, bool expectJournalFiles)
    {
        Assert.Equal(Folder, File.GetUnixFileMode(data));
        foreach (var file in DatabaseFiles(data))
        {
            Assert.True(!expectJournalFiles || File.Exists(file), $"{file} is missing: nothing was checked");
            Assert.Equal(File600, File.GetUnixFileMode(file));
        }
    }

    private static string[] DatabaseFiles(string data)
    {
        var database = Path.Combine(data, "porthole.db");
        return [database, database + "-wal", database + "-shm"];
    }
}
