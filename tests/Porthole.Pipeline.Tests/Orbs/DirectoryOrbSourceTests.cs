using Porthole.Pipeline.Orbs;

namespace Porthole.Pipeline.Tests.Orbs;

/// <summary>
/// §A4 "what Porthole can do with no internet" 2: a local orb store, <c>root/ns/name/x.y.z.yml</c>; <c>@1</c>, <c>@1.2</c> and
/// <c>volatile</c> resolve to the highest stored version that matches, <c>dev:*</c> only exactly.
/// </summary>
public sealed class DirectoryOrbSourceTests : IDisposable
{
    private readonly OrbFolder _store = new();

    public void Dispose() => _store.Dispose();

    private OrbDocument? Find(string reference)
    {
        Assert.True(OrbReference.TryParse(reference, out var parsed, out var problem), problem);
        return _store.Source.Find(parsed);
    }

    [Fact]
    public void An_exact_version_is_read_as_it_is_stored()
    {
        _store.Add("circleci", "node", "5.2.0", "version: 2.1\ncommands:\n  install: {steps: [{run: echo hi}]}\n");
        _store.Add("circleci", "node", "5.10.0");

        var orb = Find("circleci/node@5.2.0");

        Assert.NotNull(orb);
        Assert.Equal(("circleci", "node", "5.2.0"), (orb.Namespace, orb.Name, orb.Version));
        Assert.Equal("circleci/node@5.2.0", orb.Reference);
        Assert.Equal("version: 2.1\ncommands:\n  install: {steps: [{run: echo hi}]}\n", orb.Text);
    }

    [Fact]
    public void Versions_order_by_number_so_1_10_is_newer_than_1_9()
    {
        foreach (var version in (string[])["1.2.0", "1.9.0", "1.10.0", "1.9.12", "2.0.0", "10.0.0", "9.99.99"])
        {
            _store.Add("ns", "orb", version);
        }

        // §A4: "@1.2 (latest patch), @1 (latest minor), volatile (latest)": by number, never by text (where 1.9 > 1.10).
        Assert.Equal("1.10.0", Find("ns/orb@1")?.Version);
        Assert.Equal("1.9.12", Find("ns/orb@1.9")?.Version);
        Assert.Equal("1.2.0", Find("ns/orb@1.2")?.Version);
        Assert.Equal("10.0.0", Find("ns/orb@volatile")?.Version);
        Assert.Equal("9.99.99", Find("ns/orb@9")?.Version);
        Assert.Null(Find("ns/orb@1.3"));
        Assert.Null(Find("ns/orb@3"));
        Assert.Null(Find("ns/orb@1.9.1"));
    }

    [Fact]
    public void A_range_does_not_match_a_version_that_only_starts_with_the_same_digits()
    {
        _store.Add("ns", "orb", "1.20.0");
        _store.Add("ns", "orb", "12.0.0");

        Assert.Null(Find("ns/orb@1.2"));
        Assert.Equal("1.20.0", Find("ns/orb@1")?.Version);
    }

    [Fact]
    public void Dev_versions_resolve_only_exactly_and_never_as_the_newest()
    {
        _store.Add("ns", "orb", "1.0.0");
        var dev = _store.Add("ns", "orb", "dev:alpha", "version: 2.1\ndescription: alpha\n");

        Assert.Equal("dev~alpha.yml", Path.GetFileName(dev));
        Assert.Equal("version: 2.1\ndescription: alpha\n", Find("ns/orb@dev:alpha")?.Text);
        Assert.Equal("dev:alpha", Find("ns/orb@dev:alpha")?.Version);
        Assert.Null(Find("ns/orb@dev:Alpha"));
        Assert.Null(Find("ns/orb@dev:alph"));
        Assert.Equal("1.0.0", Find("ns/orb@volatile")?.Version);
        Assert.Equal("1.0.0", Find("ns/orb@1")?.Version);
    }

    [Fact]
    public void A_missing_orb_or_store_is_null()
    {
        Assert.Null(Find("circleci/node@5.2.0"));
        Assert.Null(Find("circleci/node@5"));
        Assert.Null(new DirectoryOrbSource(Path.Combine(_store.Root, "not-there")).Find(new OrbReference("circleci", "node", "5")));
        Assert.Empty(new DirectoryOrbSource(Path.Combine(_store.Root, "not-there")).List());
    }

    [Fact]
    public void Files_that_are_not_versions_are_ignored()
    {
        _store.Add("ns", "orb", "1.0.0");
        var folder = Path.Combine(_store.Root, "ns", "orb");
        File.WriteAllText(Path.Combine(folder, "1.5.yml"), "version: 2.1\n");
        File.WriteAllText(Path.Combine(folder, "2.0.0.yaml"), "version: 2.1\n");
        File.WriteAllText(Path.Combine(folder, ".import-0123"), "version: 2.1\n");
        File.WriteAllText(Path.Combine(folder, "notes.yml"), "version: 2.1\n");
        Directory.CreateDirectory(Path.Combine(_store.Root, "Upper", "orb"));
        File.WriteAllText(Path.Combine(_store.Root, "Upper", "orb", "1.0.0.yml"), "version: 2.1\n");

        Assert.Equal("1.0.0", Find("ns/orb@volatile")?.Version);
        Assert.Equal("ns/orb@1.0.0", Assert.Single(_store.Source.List()).Reference);
    }

    [Fact]
    public void A_reference_built_by_hand_never_reaches_outside_the_root()
    {
        var secret = Path.Combine(Path.GetDirectoryName(_store.Root)!, Path.GetFileName(_store.Root) + "-secret.yml");
        File.WriteAllText(secret, "version: 2.1\n");
        try
        {
            var source = _store.Source;

            // The grammar of OrbReference.TryParse refuses these; a record can still be made with them.
            Assert.Null(source.Find(new OrbReference("..", "..", "1.0.0")));
            Assert.Null(source.Find(new OrbReference("ns", "..", "1.0.0")));
            Assert.Null(source.Find(new OrbReference("ns", "orb/../..", "1.0.0")));
            Assert.Null(source.Find(new OrbReference("ns", "orb", "../../../" + Path.GetFileNameWithoutExtension(secret))));
            Assert.Null(source.Find(new OrbReference("ns", "orb", "dev:../../x")));
            Assert.Null(source.Find(new OrbReference("/etc", "orb", "1.0.0")));
            Assert.Null(source.FileOf("..", "orb", "1.0.0"));
            Assert.Null(source.FileOf("ns", "orb", "1.0"));
            Assert.Null(source.FileOf("ns", "orb", "volatile"));
            Assert.Equal(Path.Combine(_store.Root, "ns", "orb", "dev~..yml"), source.FileOf("ns", "orb", "dev:."));
            Assert.False(OrbReference.TryParse("../etc@1.0.0", out _, out _));
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void A_symbolic_link_in_the_store_is_not_followed()
    {
        var outside = Path.Combine(_store.Root, "..", Path.GetFileName(_store.Root) + "-outside.yml");
        File.WriteAllText(outside, "version: 2.1\ndescription: outside\n");
        try
        {
            Directory.CreateDirectory(Path.Combine(_store.Root, "ns", "orb"));
            File.CreateSymbolicLink(Path.Combine(_store.Root, "ns", "orb", "1.0.0.yml"), outside);

            Assert.Null(Find("ns/orb@1.0.0"));
            Assert.Null(Find("ns/orb@1"));
            Assert.Empty(_store.Source.List());
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void A_file_over_the_cap_or_not_utf8_is_not_read()
    {
        _store.Add("ns", "big", "1.0.0", "version: 2.1\n# " + new string('x', OrbSourceText.MaxBytes));
        var path = _store.Add("ns", "binary", "1.0.0");
        File.WriteAllBytes(path, [0x76, 0x3a, 0x20, 0xff, 0xfe, 0x0a]);
        _store.Add("ns", "edge", "1.0.0", "#" + new string('x', OrbSourceText.MaxBytes - 2) + "\n");

        Assert.Null(Find("ns/big@1.0.0"));
        Assert.Null(Find("ns/binary@1.0.0"));
        Assert.Equal(OrbSourceText.MaxBytes, Find("ns/edge@1.0.0")?.Text.Length);
    }

    [Fact]
    public void List_names_every_version_with_its_size_and_time_in_order()
    {
        var first = _store.Add("circleci", "node", "5.10.0", "version: 2.1\n");
        _store.Add("circleci", "node", "5.9.1", "version: 2.1\ndescription: x\n");
        _store.Add("circleci", "go", "0.2.0");
        _store.Add("circleci", "node", "dev:beta");
        _store.Add("acme", "tools", "1.0.0");
        var stamp = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(first, stamp);

        var list = _store.Source.List();

        Assert.Equal(
            ["acme/tools@1.0.0", "circleci/go@0.2.0", "circleci/node@5.9.1", "circleci/node@5.10.0", "circleci/node@dev:beta"],
            list.Select(orb => orb.Reference));
        var node = list.Single(orb => orb.Version == "5.10.0");
        Assert.Equal(("circleci", "node", 13L), (node.Namespace, node.Name, node.Size));
        Assert.Equal(new DateTimeOffset(stamp), node.ImportedAt);
    }
}
