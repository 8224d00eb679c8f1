using System.Globalization;
using Porthole.Contracts.Runners;
using Porthole.Execution.JobData;

namespace Porthole.Execution.Tests.JobData;

/// <summary>
/// <c>circleci tests glob|split|run</c> and <c>step halt</c> (§A7) under dash and busybox: a split is deterministic and
/// partitions its input over the nodes, an empty share prints and runs nothing.
/// </summary>
public sealed class CircleCiShimTests
{
    private const string Fallback = "Error auto-detecting timing type, falling back to weighting by name.";

    private static readonly string[] Items = Enumerable.Range(1, 23).Select(i => $"spec/models/model_{i:D2}_spec.rb").Reverse().ToArray();

    public static TheoryData<string, int> ShellsAndTotals()
    {
        var data = new TheoryData<string, int>();
        foreach (var shell in new[] { ShimShells.Dash, ShimShells.Busybox })
        {
            for (var total = 1; total <= 4; total++)
            {
                data.Add(shell, total);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShellsAndTotals))]
    public async Task A_split_by_name_partitions_the_items_evenly_and_the_same_every_time(string shell, int total)
    {
        using var shim = new ShimShells();
        var input = string.Join(' ', Items.Take(10)) + "\n" + string.Join('\n', Items.Skip(10)) + "\n";

        var shares = await shim.SplitAllAsync(shell, total, input);

        AssertPartition(Items, shares);
        Assert.InRange(shares.Max(s => s.Count) - shares.Min(s => s.Count), 0, 1);
        Assert.Equal(shares, await shim.SplitAllAsync(shell, total, input, "--split-by=name"));

        // Round-robin over the sorted names: node i has the i-th, (i+total)-th… (§A7's suggestion).
        var sorted = Items.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sorted.Where((_, i) => i % total == 0), shares[0]);
    }

    [Theory]
    [MemberData(nameof(ShellsAndTotals))]
    public async Task A_split_by_filesize_partitions_the_files(string shell, int total)
    {
        using var shim = new ShimShells();
        var files = WriteFiles(shim.Work, Enumerable.Range(1, 13).ToDictionary(i => $"test/f{i}.py", i => (i * 37 % 101) + 1));

        var shares = await shim.SplitAllAsync(shell, total, string.Join('\n', files.Keys) + "\n", "--split-by", "filesize");

        AssertPartition(files.Keys, shares);
        Assert.Equal(shares, await shim.SplitAllAsync(shell, total, string.Join('\n', files.Keys.Reverse()), "--split-by=filesize"));
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task A_split_by_filesize_puts_the_largest_first_into_the_lightest_node(string shell)
    {
        using var shim = new ShimShells();
        WriteFiles(shim.Work, new Dictionary<string, int> { ["a"] = 100, ["b"] = 90, ["c"] = 50, ["d"] = 40, ["e"] = 30, ["f"] = 10 });

        var shares = await shim.SplitAllAsync(shell, 2, "f e d c b a missing", "--split-by=filesize");

        // 100→0, 90→1, 50→1 (140), 40→0 (140), 30→0 (a tie: as many files each, the lower index), 10→1; missing weighs 0.
        Assert.Equal([["a", "d", "e"], ["b", "c", "f", "missing"]], shares);
    }

    [Theory]
    [MemberData(nameof(ShellsAndTotals))]
    public async Task A_split_by_timings_partitions_the_files(string shell, int total)
    {
        using var shim = new ShimShells();
        File.WriteAllText(shim.TimingsFile, CircleCiShim.FormatTimings(Items.Select((file, i) => new TestTiming(file, "C", "t", i * 0.7))));
        var input = string.Join('\n', Items.Append("spec/new_spec.rb"));

        var shares = await shim.SplitAllAsync(shell, total, input, "--split-by=timings");

        AssertPartition(Items.Append("spec/new_spec.rb"), shares);
        Assert.Equal(shares, await shim.SplitAllAsync(shell, total, input, "--split-by", "timings", "--timings-type", "filename"));
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task A_split_by_timings_balances_a_known_set_and_gives_the_unknown_file_the_average(string shell)
    {
        using var folder = new TempFolder();
        var timings = folder.Combine("timings.tsv");
        double[] seconds = [10, 8, 7, 5, 3, 2];
        var known = seconds.Select((s, i) => new TestTiming($"./t/{(char)('a' + i)}_test.go", "pkg", $"Test{i}", s / 2));

        // Each file's time is the sum of its cases; the unknown g weighs the average, 35/6 s.
        File.WriteAllText(timings, CircleCiShim.FormatTimings(known.Concat(known)));
        using var shim = new ShimShells();

        var shares = await shim.SplitAllAsync(shell, 2, "t/a_test.go t/b_test.go t/c_test.go t/d_test.go t/e_test.go t/f_test.go t/g_test.go", "--split-by=timings", $"--timings-file={timings}");

        // a 10→0, b 8→1, c 7→1 (15), g 5.83→0 (15.83), d 5→1 (20), e 3→0 (18.83), f 2→0 (20.83): 20.83 s against 20 s.
        Assert.Equal([["t/a_test.go", "t/e_test.go", "t/f_test.go", "t/g_test.go"], ["t/b_test.go", "t/c_test.go", "t/d_test.go"]], shares);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task A_split_by_timings_of_go_packages_reads_classnames(string shell)
    {
        // The corpus's one use: go list ./... | circleci tests split --split-by=timings --timings-type=classname (§A7).
        using var shim = new ShimShells();
        File.WriteAllText(shim.TimingsFile, CircleCiShim.FormatTimings(
        [
            new TestTiming(null, "example.com/shop/cart", "TestA", 30),
            new TestTiming(null, "example.com/shop/cart", "TestB", 30),
            new TestTiming(null, "example.com/shop/pay", "TestC", 50),
            new TestTiming(null, "example.com/shop/db", "TestD", 40),
        ]));
        const string Packages = "example.com/shop/cart\nexample.com/shop/db\nexample.com/shop/pay\n";

        var byClass = await shim.SplitAllAsync(shell, 2, Packages, "--split-by=timings", "--timings-type=classname");
        var detected = await shim.SplitAllAsync(shell, 2, Packages, "--split-by=timings");

        Assert.Equal([["example.com/shop/cart"], ["example.com/shop/db", "example.com/shop/pay"]], byClass);
        Assert.Equal(byClass, detected);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Without_timing_data_the_split_says_so_on_stderr_and_splits_by_name(string shell)
    {
        using var shim = new ShimShells();
        var input = string.Join('\n', Items);

        var result = await shim.RunAsync(shell, ["tests", "split", "--split-by=timings", "--index=1", "--total=3"], input);
        var byName = await shim.RunAsync(shell, ["tests", "split", "--index=1", "--total=3"], input);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Fallback, result.Error.Trim());
        Assert.Equal(byName.Lines, result.Lines);
        Assert.Equal(string.Empty, byName.Error);

        // Timings that name none of the items are no data either.
        File.WriteAllText(shim.TimingsFile, "other_spec.rb\tC\tt\t3\n");
        var unmatched = await shim.RunAsync(shell, ["tests", "split", "--split-by=timings", "--index=1", "--total=3"], input);
        Assert.Equal((Fallback, byName.Text), (unmatched.Error.Trim(), unmatched.Text));
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task An_empty_list_prints_nothing_and_succeeds(string shell)
    {
        using var shim = new ShimShells();

        foreach (var splitBy in new[] { "name", "filesize", "timings" })
        {
            var result = await shim.RunAsync(shell, ["tests", "split", $"--split-by={splitBy}", "--total=4", "--index=3"], " \n\n");

            Assert.Equal((0, string.Empty, string.Empty), (result.ExitCode, result.Text, result.Error));
        }
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Index_and_total_default_to_the_nodes_variables_and_items_come_from_files(string shell)
    {
        using var shim = new ShimShells();
        File.WriteAllText(Path.Combine(shim.Work, "list one.txt"), string.Join('\n', Items.Take(12)));
        File.WriteAllText(Path.Combine(shim.Work, "list2.txt"), string.Join(' ', Items.Skip(12)));
        var environment = new Dictionary<string, string?> { ["CIRCLE_NODE_INDEX"] = "2", ["CIRCLE_NODE_TOTAL"] = "3" };

        var fromFiles = await shim.RunAsync(shell, ["tests", "split", "list one.txt", "list2.txt"], environment: environment);
        var fromFlags = await shim.RunAsync(shell, ["tests", "split", "--index", "2", "--total", "3"], string.Join('\n', Items));

        Assert.Equal(0, fromFiles.ExitCode);
        Assert.Equal(fromFlags.Lines, fromFiles.Lines);
        Assert.Equal(7, fromFiles.Lines.Count);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Glob_expands_doublestar_braces_and_classes_sorted_and_once_each(string shell)
    {
        using var shim = new ShimShells();
        WriteFiles(shim.Work, new Dictionary<string, int>
        {
            ["src/app.js"] = 1,
            ["src/a/b/deep.js"] = 1,
            ["src/a/b/deep.ts"] = 1,
            ["src/.hidden/h.js"] = 1,
            ["src/a/readme.md"] = 1,
            ["lib/l.ts"] = 1,
            ["test/x1_test.py"] = 1,
            ["test/x2_test.py"] = 1,
            ["test/xa_test.py"] = 1,
        });

        var result = await shim.RunAsync(shell, ["tests", "glob", "src/**/*.js", "{src,lib}/**/*.{ts,js}", "test/x[0-9]_test.py", "nothing/**/*.rb"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            ["lib/l.ts", "src/.hidden/h.js", "src/a/b/deep.js", "src/a/b/deep.ts", "src/app.js", "test/x1_test.py", "test/x2_test.py"],
            result.Lines);

        var absolute = await shim.RunAsync(shell, ["tests", "glob", shim.Work + "/test/x?_test.py", "src/a/**"]);
        Assert.Equal(
            [.. new[] { "x1", "x2", "xa" }.Select(x => $"{shim.Work}/test/{x}_test.py"), "src/a", "src/a/b", "src/a/b/deep.js", "src/a/b/deep.ts", "src/a/readme.md"],
            absolute.Lines);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Glob_with_no_match_prints_nothing(string shell)
    {
        using var shim = new ShimShells();

        var result = await shim.RunAsync(shell, ["tests", "glob", "**/*.nothing", "missing.txt", "nowhere/*"]);

        Assert.Equal((0, string.Empty, string.Empty), (result.ExitCode, result.Text, result.Error));
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Run_pipes_this_nodes_share_into_the_command(string shell)
    {
        using var shim = new ShimShells();

        var result = await shim.RunAsync(shell, ["tests", "run", "--command", "awk '{ print \"ran \" $0 }'; exit 3", "--index=1", "--total=2", "--verbose"], "c a d b");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(["ran b", "ran d"], result.Lines);
        Assert.Contains("porthole: node 1 of 2 runs:\nb\nd", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Run_with_an_empty_share_does_not_run_the_command(string shell)
    {
        // Most runners given no file run every test (§A7): an empty share runs nothing instead of everything.
        using var shim = new ShimShells();
        var marker = Path.Combine(shim.Work, "ran");

        var result = await shim.RunAsync(shell, ["tests", "run", $"--command=cat > '{marker}'", "--index=2", "--total=3"], "only-one other");

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(marker));
        Assert.Contains("no tests for node 2 of 3; not running the command", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ShimShells.Shells), MemberType = typeof(ShimShells))]
    public async Task Step_halt_writes_the_halt_file_under_either_name(string shell)
    {
        using var shim = new ShimShells();

        var result = await shim.RunAsync(shell, ["step", "halt"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("halt\n", File.ReadAllText(shim.HaltFile));
        Assert.Equal(["circleci", "circleci-agent"], CircleCiShim.Names);
    }

    [Theory]
    [InlineData(ShimShells.Dash, new[] { "config", "validate" }, "porthole's circleci supports: tests glob|split|run, step halt")]
    [InlineData(ShimShells.Busybox, new string[0], "porthole's circleci supports: tests glob|split|run, step halt")]
    [InlineData(ShimShells.Dash, new[] { "tests" }, "porthole's circleci supports")]
    [InlineData(ShimShells.Busybox, new[] { "tests", "split", "--split-by=speed" }, "--split-by is name, filesize or timings, not \"speed\"")]
    [InlineData(ShimShells.Dash, new[] { "tests", "split", "--index=4", "--total=4" }, "--index 4 is not below --total 4")]
    [InlineData(ShimShells.Busybox, new[] { "tests", "split", "--total=x" }, "--total is a whole number, not \"x\"")]
    [InlineData(ShimShells.Dash, new[] { "tests", "split", "--fast" }, "unknown flag --fast for tests split")]
    [InlineData(ShimShells.Busybox, new[] { "tests", "split", "--index" }, "--index needs a value")]
    [InlineData(ShimShells.Dash, new[] { "tests", "run" }, "tests run needs --command")]
    [InlineData(ShimShells.Busybox, new[] { "tests", "split", "no-such-list.txt" }, "cannot read no-such-list.txt")]
    public async Task A_command_or_flag_it_does_not_know_exits_2_and_says_what_it_supports(string shell, string[] arguments, string message)
    {
        using var shim = new ShimShells();

        var result = await shim.RunAsync(shell, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Text);
    }

    [Fact]
    public void Timings_are_one_line_a_case_with_tabs_and_newlines_in_fields_made_spaces()
    {
        var text = CircleCiShim.FormatTimings(
        [
            new TestTiming("a.py", "tests.a", "test_x", 1.25),
            new TestTiming(null, "odd\tclass", "name\nwith lines", -3),
        ]);

        Assert.Equal("a.py\ttests.a\ttest_x\t1.25\n\todd class\tname with lines\t0\n", text);
    }

    private static void AssertPartition(IEnumerable<string> items, List<IReadOnlyList<string>> shares)
    {
        var all = shares.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(items.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.All(shares, share => Assert.Equal(share.Order(StringComparer.Ordinal), share));
    }

    private static Dictionary<string, int> WriteFiles(string root, Dictionary<string, int> files)
    {
        foreach (var (path, size) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, new string('x', size));
        }

        return files;
    }
}
