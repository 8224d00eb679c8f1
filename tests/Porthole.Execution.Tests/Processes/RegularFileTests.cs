using System.Diagnostics;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Processes;

/// <summary>What the runner reads from a folder a job can change is a regular file of that folder, nothing it points at.</summary>
public sealed class RegularFileTests
{
    [Fact]
    public void A_regular_file_is_read()
    {
        using var folder = new TempFolder();
        var path = folder.Combine("record.log");
        File.WriteAllText(path, "==> step\n");

        using var stream = RegularFile.OpenRead(path);

        Assert.NotNull(stream);
        Assert.Equal("==> step\n", new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void A_link_to_a_secret_a_fifo_and_a_missing_file_are_not_opened()
    {
        using var folder = new TempFolder();
        var secret = folder.Combine("admin-token");
        File.WriteAllText(secret, "the server's secret");
        File.CreateSymbolicLink(folder.Combine("link.log"), secret);
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo") { ArgumentList = { folder.Combine("fifo.log") } })!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Assert.Null(RegularFile.OpenRead(folder.Combine("link.log")));
        Assert.Null(RegularFile.OpenRead(folder.Combine("fifo.log")));
        Assert.Null(RegularFile.OpenRead(folder.Combine("missing.log")));
        Assert.Null(RegularFile.OpenRead(folder.Path));
    }
}
