using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Porthole.Testing;

/// <summary>
/// A PostgreSQL server of its own (issue 14): <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback
/// port with its socket in that folder, trust authentication for the <see cref="Superuser"/>; on dispose
/// <c>pg_ctl stop -m immediate</c> (then the postmaster's pid from its postmaster.pid, if it still runs) and the folder
/// removed. initdb and the server refuse root, so as root they run as the <c>postgres</c> account (or <c>nobody</c>) through
/// <c>setpriv</c>, and the folders are that account's. Shared by the server tests' <c>PostgresCluster</c> fixture and the
/// benches; it needs no database client (<see cref="CreateDatabaseAsync"/> runs <c>createdb</c>).
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string Superuser = "porthole";

    private readonly TempFolder _folder;
    private readonly string _bin;
    private readonly (int Uid, int Gid)? _account;

    private PostgresServer(TempFolder folder, string bin, (int Uid, int Gid)? account)
    {
        _folder = folder;
        _bin = bin;
        _account = account;
    }

    public int Port { get; private set; }

    /// <summary>Whether the server is started (not stopped by <see cref="StopAsync"/> since).</summary>
    public bool Running { get; private set; }

    private string DataFolder => _folder.Combine("cluster");

    private string SocketFolder => _folder.Combine("socket");

    private string LogFile => _folder.Combine("log", "server.log");

    /// <summary>Makes the cluster and starts it on a free loopback port.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = BinFolder();
        (int Uid, int Gid)? account = Environment.UserName == "root" ? UnprivilegedAccount() : null;
        var server = new PostgresServer(new TempFolder("porthole-pg-"), bin, account);
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Npgsql's keywords for <paramref name="database"/> of this server (a password, when given, is not checked: trust).</summary>
    public string ConnectionString(string database, string? password = null) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={Superuser};Database={database}")
        + (password is null ? "" : $";Password={password}");

    /// <summary>Makes the empty database <paramref name="name"/> (a plain identifier) with <c>createdb</c>.</summary>
    public Task CreateDatabaseAsync(string name) =>
        RunOrFailAsync(Path.Combine(_bin, "createdb"), null, "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", Superuser, name);

    /// <summary>Stops the server as an administrator does (<c>pg_ctl stop -m MODE</c>, fast by default: sessions are ended) and waits.</summary>
    public async Task StopAsync(string mode = "fast")
    {
        await RunOrFailAsync(Path.Combine(_bin, "pg_ctl"), _account, "-D", DataFolder, "-m", mode, "-w", "-t", "60", "stop");
        Running = false;
    }

    /// <summary>Starts the server again, on the same port, and waits until it takes connections.</summary>
    public Task StartAgainAsync() => PgCtlStartAsync();

    /// <summary>The server's log so far, for a failed test's message.</summary>
    public string ServerLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>
    /// Leaves a watcher (<c>sh</c>, in a session of its own) that, once process <paramref name="pid"/> is gone, stops the
    /// server with <c>pg_ctl stop -m immediate</c> and removes its folder: for a server that lives as long as a process which
    /// may end without running its clean-up (a test host ended by its runner, a bench stopped with Ctrl+C).
    /// </summary>
    public void StopWhenGone(int pid)
    {
        var pgCtl = $"'{Path.Combine(_bin, "pg_ctl")}' -D '{DataFolder}' -m immediate -w -t 30 stop";
        var stop = _account is { } a ? $"setpriv --reuid={a.Uid} --regid={a.Gid} --clear-groups -- {pgCtl}" : pgCtl;
        var script = string.Create(
            CultureInfo.InvariantCulture,
            $"exec </dev/null >/dev/null 2>&1; while kill -0 {pid}; do sleep 1; done; {stop}; rm -rf '{_folder.Path}'");
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in (string[])["sh", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        using var watcher = Process.Start(start)!;
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(DataFolder, "postmaster.pid");
        int? pid = File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var read) ? read : null;
        if (pid is not null)
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), _account, "-D", DataFolder, "-m", "immediate", "-w", "-t", "30", "stop");
        }

        if (pid is { } postmaster && IsAlive(postmaster))
        {
            using var process = Process.GetProcessById(postmaster);
            process.Kill(entireProcessTree: true);
        }

        Running = false;
        _folder.Dispose();
    }

    private async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataFolder);
        Directory.CreateDirectory(SocketFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        if (_account is { } account)
        {
            // The account must reach its folders: the temp folder is root's (0700), so it is opened to passing through.
            File.SetUnixFileMode(_folder.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            await RunOrFailAsync("chown", null, "-R", $"{account.Uid}:{account.Gid}", DataFolder, SocketFolder, Path.GetDirectoryName(LogFile)!);
        }

        await RunOrFailAsync(Path.Combine(_bin, "initdb"), _account, "-D", DataFolder, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync");
        Port = FreeLoopbackPort();
        await PgCtlStartAsync();
    }

    private async Task PgCtlStartAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {SocketFolder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400");
        await RunOrFailAsync(Path.Combine(_bin, "pg_ctl"), _account, "-D", DataFolder, "-l", LogFile, "-w", "-t", "60", "-o", options, "start");
        Running = true;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where initdb and pg_ctl are: <c>pg_config --bindir</c>, else Debian's /usr/lib/postgresql/VERSION/bin (the newest).</summary>
    private static string BinFolder()
    {
        try
        {
            var start = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var folder = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && File.Exists(Path.Combine(folder, "initdb")))
            {
                return folder;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config (it comes with libpq-dev): look in Debian's folders.
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException("PostgreSQL's initdb is not installed (scripts/setup installs the postgresql package).");
    }

    /// <summary>The account the server runs as when this process is root: postgres when it exists, else nobody.</summary>
    private static (int Uid, int Gid) UnprivilegedAccount()
    {
        foreach (var name in (string[])["postgres", "nobody"])
        {
            var entry = File.ReadLines("/etc/passwd").Select(line => line.Split(':')).FirstOrDefault(fields => fields.Length > 3 && fields[0] == name);
            if (entry is not null)
            {
                return (int.Parse(entry[2], CultureInfo.InvariantCulture), int.Parse(entry[3], CultureInfo.InvariantCulture));
            }
        }

        throw new InvalidOperationException("Neither a postgres nor a nobody account exists to run PostgreSQL as.");
    }

    private static async Task RunOrFailAsync(string program, (int Uid, int Gid)? account, params string[] arguments)
    {
        var (code, text) = await RunAsync(program, account, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited {code}: {text}");
        }
    }

    /// <summary>Runs <paramref name="program"/> to its end, as <paramref name="account"/> when given, from / (which any account may enter).</summary>
    private static async Task<(int Code, string Text)> RunAsync(string program, (int Uid, int Gid)? account, params string[] arguments)
    {
        string[] argv = account is { } a ? ["setpriv", $"--reuid={a.Uid}", $"--regid={a.Gid}", "--clear-groups", "--", program, .. arguments] : [program, .. arguments];
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var argument in argv[1..])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
