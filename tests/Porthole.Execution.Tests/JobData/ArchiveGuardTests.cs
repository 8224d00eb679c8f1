using System.Formats.Tar;
using Porthole.Execution.JobData;
using static Porthole.Execution.Tests.JobData.Archives;

namespace Porthole.Execution.Tests.JobData;

/// <summary>The zip-slip attacks on a cache or workspace archive (issue 11 "Bad input and attacks"), on crafted archives.</summary>
public sealed class ArchiveGuardTests
{
    private static readonly ArchiveGuard Anything = new([]);

    private static readonly ArchiveGuard Npm = new(["home/u/.npm", "root/project/vendor/bundle"]);

    [Theory]
    [InlineData("../x", "'..' part")]
    [InlineData("a/../../x", "'..' part")]
    [InlineData("a/..", "'..' part")]
    [InlineData("/etc/x", "absolute path")]
    [InlineData("//etc/x", "absolute path")]
    public async Task A_name_that_leaves_the_folder_is_refused_and_named(string name, string why)
    {
        var error = await RefusedAsync(Anything, Make(File("ok.txt"), File(name)));

        Assert.Contains($"entry \"{name}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dot_parts_and_double_slashes_are_made_canonical()
    {
        var (contents, output) = await GuardAsync(Anything, Make(Folder("./"), Folder("./a/"), File("./a//b.txt"), File("a/./c.txt")));

        Assert.Equal(["a/b.txt", "a/c.txt"], contents.Files);
        Assert.Equal(["a/", "a/b.txt", "a/c.txt"], Read(output).Select(e => e.Name));
    }

    [Fact]
    public async Task A_link_to_etc_then_a_file_through_it_is_refused()
    {
        // A workspace attached at /work/attach: /etc is outside it, so the link itself is refused.
        var error = await RefusedAsync(new ArchiveGuard([], "/work/attach"), Make(Link("a", "/etc"), File("a/passwd", "root::0:0::/:/bin/sh")));
        Assert.Contains("entry \"a\": it is a link to /etc, outside the folder the archive is extracted in (/work/attach)", error.Message, StringComparison.Ordinal);

        // Extracted at / with no roots (or where links may point anywhere), the link may be; nothing is written through it.
        foreach (var guard in new[] { Anything, new ArchiveGuard(["home/u"]) { LinksMayLeaveRoots = true } })
        {
            var name = guard == Anything ? "a" : "home/u/a";
            var through = await RefusedAsync(guard, Make(Link(name, "/etc"), File(name + "/passwd")));
            Assert.Contains($"entry \"{name}/passwd\": it goes through \"{name}\", a link the archive made earlier", through.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("a", "../../..")]
    [InlineData("a", "..")]
    [InlineData("d/a", "../..")]
    [InlineData("d/a", "/")]
    [InlineData("d/a", "x/../../..")]
    [InlineData("d/a", "sub/../x")]
    public async Task A_link_whose_target_leaves_the_folder_or_climbs_after_descending_is_refused(string name, string target)
    {
        var error = await RefusedAsync(new ArchiveGuard([], "/work/attach"), Make(Folder("d/"), Link(name, target)));

        Assert.Contains($"entry \"{name}\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("d/a", "..")]
    [InlineData("d/a", "../b")]
    [InlineData("d/e/a", "../../x/y")]
    [InlineData("a", "/work/attach/b")]
    [InlineData("a", ".")]
    public async Task A_link_that_stays_in_the_folder_passes(string name, string target)
    {
        var (contents, output) = await GuardAsync(new ArchiveGuard([], "/work/attach"), Make(Link(name, target)));

        Assert.Equal([name], contents.Files);
        Assert.Equal(target, Read(output).Single().Link);
    }

    [Fact]
    public async Task A_hard_link_to_a_file_outside_or_not_in_the_archive_is_refused()
    {
        var absolute = await RefusedAsync(Anything, Make(HardLink("shadow", "/etc/shadow")));
        Assert.Contains("entry \"shadow\": it is a hard link whose target \"/etc/shadow\" is an absolute path", absolute.Message, StringComparison.Ordinal);

        var climbing = await RefusedAsync(Anything, Make(HardLink("shadow", "../../etc/shadow")));
        Assert.Contains("'..' part", climbing.Message, StringComparison.Ordinal);

        var notEarlier = await RefusedAsync(Anything, Make(HardLink("shadow", "etc/shadow"), File("etc/shadow")));
        Assert.Contains("which is not an earlier file of the archive", notEarlier.Message, StringComparison.Ordinal);

        var folder = await RefusedAsync(Anything, Make(Folder("d/"), HardLink("h", "d")));
        Assert.Contains("which is not an earlier file of the archive", folder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hard_link_to_an_earlier_file_passes()
    {
        var (contents, output) = await GuardAsync(Anything, Make(File("a/one", "same"), HardLink("b/two", "./a/one")));

        Assert.Equal(["a/one", "b/two"], contents.Files);
        Assert.Equal((TarEntryType.HardLink, "a/one"), Read(output).Select(e => (e.Type, e.Link)).Last());
    }

    [Fact]
    public async Task A_hard_link_to_a_link_is_that_link_and_nothing_goes_through_it()
    {
        var lenient = new ArchiveGuard([]) { LinksMayLeaveRoots = true };

        var error = await RefusedAsync(lenient, Make(Link("a", "/etc"), HardLink("b", "a"), File("b/passwd")));

        Assert.Contains("entry \"b/passwd\": it goes through \"b\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice, "a character device")]
    [InlineData(TarEntryType.BlockDevice, "a block device")]
    [InlineData(TarEntryType.Fifo, "a fifo")]
    public async Task Devices_and_fifos_are_refused(TarEntryType type, string what)
    {
        var error = await RefusedAsync(Anything, Make(File("ok"), Special(type, "dev/thing")));

        Assert.Contains($"entry \"dev/thing\": it is {what}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_link_loop_is_just_two_links_and_passes()
    {
        var (contents, output) = await GuardAsync(Anything, Make(Link("a", "b"), Link("b", "a"), Link("self", "self")));

        Assert.Equal(["a", "b", "self"], contents.Files);
        Assert.Equal(3, contents.Entries);
        Assert.All(Read(output), entry => Assert.Equal(TarEntryType.SymbolicLink, entry.Type));
    }

    [Fact]
    public async Task A_file_or_folder_in_place_of_an_earlier_link_is_refused()
    {
        var file = await RefusedAsync(Anything, Make(Link("a", "b"), File("a", "written through?")));
        Assert.Contains("entry \"a\": it replaces \"a\", a link the archive made earlier", file.Message, StringComparison.Ordinal);

        var folder = await RefusedAsync(Anything, Make(Link("a", "b"), Folder("a/")));
        Assert.Contains("replaces \"a\"", folder.Message, StringComparison.Ordinal);

        // A link replacing a link is what tar does with any link: it is removed first.
        var (contents, _) = await GuardAsync(Anything, Make(Link("a", "b"), Link("a", "c")));
        Assert.Equal(["a"], contents.Files);
    }

    [Fact]
    public async Task Cache_roots_admit_their_own_trees_and_leave_out_the_folders_above_them()
    {
        var (contents, output) = await GuardAsync(Npm, Make(
            Folder("home/"),
            Folder("home/u/"),
            Folder("home/u/.npm/"),
            File("home/u/.npm/_cacache/index", "i"),
            Link("home/u/.npm/latest", "/home/u/.npm/_cacache/index"),
            Folder("root/project/vendor/bundle/ruby/"),
            File("root/project/vendor/bundle/ruby/gem.rb", "puts 1")));

        Assert.Equal(["home/u/.npm/_cacache/index", "home/u/.npm/latest", "root/project/vendor/bundle/ruby/gem.rb"], contents.Files);
        Assert.Equal(
            ["home/u/.npm/", "home/u/.npm/_cacache/index", "home/u/.npm/latest", "root/project/vendor/bundle/ruby/", "root/project/vendor/bundle/ruby/gem.rb"],
            Read(output).Select(e => e.Name));
        Assert.Equal(7, contents.Bytes);
        Assert.Equal(5, contents.Entries);
    }

    [Theory]
    [InlineData("home/u/.bashrc", "is outside the paths this archive may hold (home/u/.npm, root/project/vendor/bundle)")]
    [InlineData("home/u/.npmrc", "is outside the paths")]
    [InlineData("home/u", "is outside the paths")]
    [InlineData("etc/cron.d/x", "is outside the paths")]
    public async Task A_cache_entry_outside_its_roots_is_refused(string name, string why)
    {
        var error = await RefusedAsync(Npm, Make(File("home/u/.npm/ok"), File(name)));

        Assert.Contains($"entry \"{name}\": it {why}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/home/u/.ssh")]
    [InlineData("../../.ssh")]
    [InlineData("..")]
    [InlineData("/usr/bin/python3")]
    public async Task A_cache_link_leaving_its_roots_is_refused_unless_links_may_leave(string target)
    {
        var archive = Make(Folder("home/u/.npm/"), Link("home/u/.npm/_cacache", target));

        var error = await RefusedAsync(Npm, archive);
        Assert.Contains("entry \"home/u/.npm/_cacache\"", error.Message, StringComparison.Ordinal);

        archive.Position = 0;
        var (contents, _) = await GuardAsync(new ArchiveGuard(Npm.AllowedRoots) { LinksMayLeaveRoots = true }, archive);
        Assert.Equal(["home/u/.npm/_cacache"], contents.Files);
    }

    [Fact]
    public async Task Absolute_roots_inside_the_extraction_folder_are_the_same_roots()
    {
        var guard = new ArchiveGuard(["/home/u/.npm/", "/home/u/.npm", "./root/x/"]);

        Assert.Equal(["home/u/.npm", "root/x"], guard.AllowedRoots);
        Assert.Throws<ArgumentException>(() => new ArchiveGuard(["/elsewhere"], "/work"));
        Assert.Throws<ArgumentException>(() => new ArchiveGuard(["../up"]));
        Assert.Throws<ArgumentException>(() => new ArchiveGuard([], "relative"));
        Assert.Throws<ArgumentException>(() => new ArchiveGuard([], "/", TarEntryFormat.Ustar));
    }

    [Fact]
    public async Task Setuid_and_setgid_bits_do_not_pass()
    {
        const UnixFileMode Mode = UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute;

        var (_, output) = await GuardAsync(Anything, Make(File("bin/tool", "#!/bin/sh", Mode)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute, Read(output).Single().Mode);
    }

    [Fact]
    public async Task A_pax_global_header_describes_no_file_and_is_left_out()
    {
        var archive = new MemoryStream();
        using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "0123abcd" }));
            writer.WriteEntry(File("a.txt"));
        }

        archive.Position = 0;
        var (contents, output) = await GuardAsync(Anything, archive);

        Assert.Equal(["a.txt"], contents.Files);
        Assert.Equal(["a.txt"], Read(output).Select(e => e.Name));
    }

    [Fact]
    public async Task Data_that_is_not_a_tar_is_refused_not_thrown_raw()
    {
        var garbage = new MemoryStream(Enumerable.Range(0, 2048).Select(i => (byte)(i * 7 % 251 + 1)).ToArray());

        var error = await RefusedAsync(Anything, garbage);

        Assert.Contains("not a valid tar at its start", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_archive_leaves_the_output_without_its_end()
    {
        var output = new MemoryStream();

        await Assert.ThrowsAsync<ArchiveRefusedException>(async () =>
            await Anything.CopyAsync(Make(File("ok.txt", "fine"), File("../evil")), output, CancellationToken.None));

        // The safe entry, then a block no tar reads as a header, not the two zero blocks that end an archive.
        Assert.Equal("ok.txt", Read(new MemoryStream(output.ToArray()[..^512])).Single().Name);
        Assert.All(output.ToArray()[^512..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public async Task A_gnu_output_carries_long_names_and_links()
    {
        var longName = string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 8)) + "/file.txt";
        var guard = new ArchiveGuard([], "/", TarEntryFormat.Gnu);

        var (_, output) = await GuardAsync(guard, Make(File(longName, "long"), Link("l", longName)));

        Assert.Equal([(longName, TarEntryType.RegularFile, string.Empty), ("l", TarEntryType.SymbolicLink, longName)], Read(output).Select(e => (e.Name, e.Type, e.Link)));
    }
}
