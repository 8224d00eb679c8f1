using System.Diagnostics;
using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>
/// The guard between real tars: archives GNU tar and busybox tar make pass through intact, and a refused archive piped
/// into a real <c>tar -x</c> writes nothing outside the folder it extracts in.
/// </summary>
public sealed class ArchiveGuardRealTarTests
{
    private static readonly string LongFolder = string.Join('/', Enumerable.Repeat("node_modules/@scope/a-package-with-a-long-name", 4));

    public static TheoryData<string, string> Tars => new()
    {
        { "tar", "tar" },
        { "tar", "busybox" },
        { "busybox", "tar" },
        { "busybox", "busybox" },
    };

    [Theory]
    [MemberData(nameof(Tars))]
    public async Task An_archive_a_real_tar_made_passes_intact(string maker, string extractor)
    {
        using var folder = new TempFolder();
        var source = MakeNodeModulesTree(folder.Combine("src"));
        var made = await RunTarAsync(maker, ["-cf", "-", "-C", source, "."]);
        Assert.Equal(0, made.ExitCode);

        foreach (var guard in new[] { new ArchiveGuard([]), new ArchiveGuard([], "/", System.Formats.Tar.TarEntryFormat.Gnu) })
        {
            var (contents, output) = await Archives.GuardAsync(guard, new MemoryStream(made.Output));
            var target = Directory.CreateDirectory(folder.Combine($"out-{guard.GetHashCode()}")).FullName;
            var extracted = await RunTarAsync(extractor, ["-xf", "-", "-C", target], output);

            Assert.True(extracted.ExitCode == 0, extracted.Error);
            Assert.Equal(Archives.Describe(source), Archives.Describe(target));
            Assert.Contains($"{LongFolder}/index.js", contents.Files);
            Assert.Contains("node_modules/.bin/jest", contents.Files);
            Assert.Contains("loop/a", contents.Files);
        }
    }

    [Theory]
    [InlineData(System.Formats.Tar.TarEntryFormat.Pax)]
    [InlineData(System.Formats.Tar.TarEntryFormat.Gnu)]
    public async Task A_real_tar_piped_through_the_guard_into_a_real_tar_arrives_intact(System.Formats.Tar.TarEntryFormat format)
    {
        // Pipe to pipe, as a save or restore runs: no side of the copy can seek.
        using var folder = new TempFolder();
        var source = MakeNodeModulesTree(folder.Combine("src"));
        File.WriteAllBytes(Path.Combine(source, "big.bin"), ZstdStreamsTests.MixedContent(3 * 1024 * 1024));
        var target = Directory.CreateDirectory(folder.Combine("out")).FullName;
        using var maker = Process.Start(new ProcessStartInfo("tar", ["-cf", "-", "-C", source, "."]) { RedirectStandardOutput = true })!;
        try
        {
            var pipe = new System.IO.Pipelines.Pipe();
            var guarding = Task.Run(async () =>
            {
                await using var output = pipe.Writer.AsStream();
                return await new ArchiveGuard([], target, format).CopyAsync(maker.StandardOutput.BaseStream, output, CancellationToken.None);
            });
            var extracted = await RunTarAsync("tar", ["-xf", "-", "-C", target], pipe.Reader.AsStream());
            var contents = await guarding;
            await maker.WaitForExitAsync();

            Assert.True(extracted.ExitCode == 0, extracted.Error);
            Assert.Equal(Archives.Describe(source), Archives.Describe(target));
            Assert.Contains("big.bin", contents.Files);
            Assert.True(contents.Bytes > 3 * 1024 * 1024);
        }
        finally
        {
            if (!maker.HasExited)
            {
                maker.Kill();
            }
        }
    }

    [Fact]
    public async Task A_cache_made_by_tar_with_its_parent_folders_passes_into_its_roots()
    {
        using var folder = new TempFolder();
        var root = folder.Combine("root");
        MakeNodeModulesTree(Path.Combine(root, "home/u/.npm"));
        var made = await RunTarAsync("tar", ["-cf", "-", "-C", root, "home"]);

        var (contents, output) = await Archives.GuardAsync(new ArchiveGuard(["home/u/.npm"], root), new MemoryStream(made.Output));
        var target = Directory.CreateDirectory(folder.Combine("restored")).FullName;
        var extracted = await RunTarAsync("tar", ["-xf", "-", "-C", target], output);

        Assert.Equal(0, extracted.ExitCode);
        Assert.Equal(Archives.Describe(root), Archives.Describe(target));
        Assert.All(contents.Files, file => Assert.StartsWith("home/u/.npm/", file, StringComparison.Ordinal));
    }

    public static TheoryData<string, string> Attacks => new()
    {
        { "tar", "dotdot" },
        { "tar", "absolute" },
        { "tar", "absolute-link" },
        { "tar", "relative-link" },
        { "tar", "hard-link" },
        { "tar", "not-a-tar" },
        { "busybox", "dotdot" },
        { "busybox", "absolute" },
        { "busybox", "absolute-link" },
        { "busybox", "relative-link" },
        { "busybox", "hard-link" },
        { "busybox", "not-a-tar" },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_refused_archive_piped_into_a_real_tar_writes_nothing_outside_its_folder(string extractor, string attack)
    {
        using var folder = new TempFolder();
        var target = Directory.CreateDirectory(folder.Combine("target")).FullName;
        var outside = Directory.CreateDirectory(folder.Combine("outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret"), "unchanged");
        var before = Archives.Describe(folder.Path);
        var archive = attack switch
        {
            "dotdot" => Archives.Make(Archives.File("ok.txt"), Archives.File("../outside/pwned", "pwned")),
            "absolute" => Archives.Make(Archives.File("ok.txt"), Archives.File(outside + "/pwned", "pwned")),
            "absolute-link" => Archives.Make(Archives.File("ok.txt"), Archives.Link("a", outside), Archives.File("a/pwned", "pwned")),
            "relative-link" => Archives.Make(Archives.File("ok.txt"), Archives.Link("a", "../outside"), Archives.File("a/pwned", "pwned")),
            "hard-link" => Archives.Make(Archives.File("ok.txt"), Archives.HardLink("h", outside + "/secret"), Archives.File("h", "overwritten")),
            _ => new MemoryStream([.. Archives.Make(Archives.File("ok.txt")).ToArray()[..1024], .. Enumerable.Repeat((byte)'x', 2048)]),
        };

        var (refusal, tar) = await ExtractGuardedAsync(new ArchiveGuard([], target), archive, extractor, target);

        Assert.NotNull(refusal);
        Assert.NotEqual(0, tar.ExitCode);
        var after = Archives.Describe(folder.Path);
        Assert.Equal(before.Where(p => !p.Key.StartsWith("target/", StringComparison.Ordinal)), after.Where(p => !p.Key.StartsWith("target/", StringComparison.Ordinal)));
        Assert.All(after.Keys.Where(p => p.StartsWith("target/", StringComparison.Ordinal)), p => Assert.Equal("target/ok.txt", p));
        Assert.Equal("unchanged", File.ReadAllText(Path.Combine(outside, "secret")));
    }

    /// <summary>Pipes the guard's output into a real <c>tar -x</c>, as a restore does; returns the refusal and how tar ended.</summary>
    private static async Task<(ArchiveRefusedException? Refusal, ToolResult Tar)> ExtractGuardedAsync(ArchiveGuard guard, Stream archive, string extractor, string target)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        ArchiveRefusedException? refusal = null;
        var guarding = Task.Run(async () =>
        {
            await using var writer = pipe.Writer.AsStream();
            try
            {
                await guard.CopyAsync(archive, writer, CancellationToken.None);
            }
            catch (ArchiveRefusedException e)
            {
                refusal = e;
            }
        });
        var tar = await RunTarAsync(extractor, ["-xf", "-", "-C", target], pipe.Reader.AsStream());
        await guarding;
        return (refusal, tar);
    }

    private static Task<ToolResult> RunTarAsync(string tar, IEnumerable<string> arguments, Stream? input = null) =>
        tar == "busybox" ? Tool.RunAsync("busybox", ["tar", .. arguments], input) : Tool.RunAsync("tar", arguments, input);

    /// <summary>A node_modules-like tree: relative .bin links, a long path, a link loop, an empty folder, a hard link, an executable.</summary>
    private static string MakeNodeModulesTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "node_modules/.bin"));
        Directory.CreateDirectory(Path.Combine(root, "node_modules/jest/bin"));
        Directory.CreateDirectory(Path.Combine(root, LongFolder));
        Directory.CreateDirectory(Path.Combine(root, "loop"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "node_modules/jest/bin/jest.js"), "#!/usr/bin/env node\nrequire('../')\n");
        File.SetUnixFileMode(Path.Combine(root, "node_modules/jest/bin/jest.js"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(root, "node_modules/jest/package.json"), "{\"name\":\"jest\"}");
        File.WriteAllText(Path.Combine(root, LongFolder, "index.js"), "module.exports = 1;\n");
        File.WriteAllText(Path.Combine(root, LongFolder, new string('n', 150) + ".js"), "long name");
        File.CreateSymbolicLink(Path.Combine(root, "node_modules/.bin/jest"), "../jest/bin/jest.js");
        File.CreateSymbolicLink(Path.Combine(root, "node_modules/.bin/long"), "../" + LongFolder["node_modules/".Length..] + "/index.js");
        File.CreateSymbolicLink(Path.Combine(root, "loop/a"), "b");
        File.CreateSymbolicLink(Path.Combine(root, "loop/b"), "a");
        File.CreateSymbolicLink(Path.Combine(root, "loop/self"), "self");
        using (var ln = Process.Start("ln", [Path.Combine(root, "node_modules/jest/package.json"), Path.Combine(root, "node_modules/jest/package-copy.json")]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        return root;
    }
}
