using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Porthole.Contracts.Api;
using Porthole.Pipeline.Orbs;
using Porthole.Server.Data;
using Porthole.Server.Orbs;

namespace Porthole.Server.Tests.Orbs;

/// <summary>The server's orb store in a data folder of the test's: imports checked and written whole, found again by range (§A4).</summary>
public sealed class OrbStoreTests : IDisposable
{
    private const string Source = "version: 2.1\ncommands:\n  greet:\n    steps:\n      - run: echo hello\n";

    private readonly TempFolder _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.Zero));
    private readonly OrbStore _store;

    public OrbStoreTests()
    {
        _store = new OrbStore(Options.Create(new PortholeOptions { DataDirectory = _data.Path }), _time);
    }

    public void Dispose() => _data.Dispose();

    private static OrbReference Ref(string text) =>
        OrbReference.TryParse(text, out var reference, out var problem) ? reference : throw new ArgumentException(problem);

    [Fact]
    public void An_import_is_found_again_exactly_and_by_range_and_listed()
    {
        var (stored, refusal) = _store.Import(Ref("acme/greeter@1.9.0"), Source, force: false);
        _store.Import(Ref("acme/greeter@1.10.0"), Source + "# newer\n", force: false);

        Assert.Null(refusal);
        Assert.Equal(OrbOutcomes.Created, stored?.Outcome);
        Assert.Equal(("acme/greeter@1.9.0", (long)Source.Length, _time.GetUtcNow()), (stored?.Orb.Reference, stored?.Orb.Size, stored?.Orb.ImportedAt));
        Assert.Equal(Source, _store.Find(Ref("acme/greeter@1.9.0"))?.Text);
        Assert.Equal("1.10.0", _store.Find(Ref("acme/greeter@1"))?.Version);
        Assert.Equal(Path.Combine(_data.Path, "orbs"), _store.Root);
        Assert.True(File.Exists(Path.Combine(_data.Path, "orbs", "acme", "greeter", "1.9.0.yml")));
        Assert.Equal(["acme/greeter@1.9.0", "acme/greeter@1.10.0"], _store.List().Select(orb => orb.Reference));
        Assert.All(_store.List(), orb => Assert.Equal(_time.GetUtcNow(), orb.ImportedAt));
    }

    [Fact]
    public void The_store_is_the_server_accounts_alone_and_leaves_no_temporary_file()
    {
        _store.Import(Ref("acme/greeter@1.0.0"), Source, force: false);
        _store.Import(Ref("acme/greeter@1.0.0"), Source + "# again\n", force: true);

        foreach (var folder in (string[])["orbs", "orbs/acme", "orbs/acme/greeter"])
        {
            Assert.Equal(DataFolder.PrivateFolder, File.GetUnixFileMode(_data.Combine(folder)));
        }

        Assert.Equal(["1.0.0.yml"], Directory.GetFiles(_data.Combine("orbs", "acme", "greeter")).Select(Path.GetFileName));
        Assert.Equal(DataFolder.PrivateFile, File.GetUnixFileMode(_data.Combine("orbs", "acme", "greeter", "1.0.0.yml")));
    }

    [Fact]
    public void The_same_source_again_is_unchanged_and_another_is_a_conflict_unless_forced()
    {
        _store.Import(Ref("acme/greeter@1.0.0"), Source, force: false);
        _time.Advance(TimeSpan.FromHours(1));

        var (again, _) = _store.Import(Ref("acme/greeter@1.0.0"), Source, force: false);
        var (conflicting, conflict) = _store.Import(Ref("acme/greeter@1.0.0"), Source + "# changed\n", force: false);

        Assert.Equal(OrbOutcomes.Unchanged, again?.Outcome);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromHours(1), again?.Orb.ImportedAt);
        Assert.Null(conflicting);
        Assert.Equal((409, OrbErrorCodes.OrbConflict), (conflict?.Status, conflict?.Code));
        Assert.Contains("acme/greeter@1.0.0 is already in the store with another source", conflict?.Detail, StringComparison.Ordinal);
        Assert.Equal(Source, _store.Find(Ref("acme/greeter@1.0.0"))?.Text);

        var (forced, _) = _store.Import(Ref("acme/greeter@1.0.0"), Source + "# changed\n", force: true);

        Assert.Equal(OrbOutcomes.Replaced, forced?.Outcome);
        Assert.Equal(_time.GetUtcNow(), forced?.Orb.ImportedAt);
        Assert.Equal(Source + "# changed\n", _store.Find(Ref("acme/greeter@1.0.0"))?.Text);
    }

    [Theory]
    [InlineData("version: 2.1\ncommands:\n  greet: {steps: [oops\n", "malformed YAML")]
    [InlineData("- a\n- b\n", "not a list")]
    [InlineData("plain words\n", "not a string")]
    public void A_text_that_is_not_an_orbs_source_is_a_400_at_its_line_and_column_and_nothing_is_written(string text, string said)
    {
        var (stored, refusal) = _store.Import(Ref("acme/greeter@1.0.0"), text, force: false);

        Assert.Null(stored);
        Assert.Equal((400, OrbErrorCodes.OrbInvalid), (refusal?.Status, refusal?.Code));
        Assert.Matches(@"^that is not an orb's source: acme/greeter@1\.0\.0:\d+:\d+: ", refusal?.Detail);
        Assert.Contains(said, refusal?.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_data.Combine("orbs")));
    }

    [Theory]
    [InlineData("acme/greeter@1")]
    [InlineData("acme/greeter@1.2")]
    [InlineData("acme/greeter@volatile")]
    public void A_range_cannot_be_imported(string reference)
    {
        var (stored, refusal) = _store.Import(Ref(reference), Source, force: false);

        Assert.Null(stored);
        Assert.Equal((400, ErrorCodes.InvalidRequest), (refusal?.Status, refusal?.Code));
        Assert.Contains("give acme/greeter@X.Y.Z", refusal?.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dev_version_is_stored_and_found_only_exactly()
    {
        var (stored, _) = _store.Import(Ref("acme/greeter@dev:my-branch"), Source, force: false);

        Assert.Equal("acme/greeter@dev:my-branch", stored?.Orb.Reference);
        Assert.Equal(Source, _store.Find(Ref("acme/greeter@dev:my-branch"))?.Text);
        Assert.Null(_store.Find(Ref("acme/greeter@volatile")));
    }

    [Fact]
    public void A_reference_built_by_hand_is_refused_and_writes_nothing_outside()
    {
        var (stored, refusal) = _store.Import(new OrbReference("..", "..", "1.0.0"), Source, force: false);

        Assert.Null(stored);
        Assert.Equal(400, refusal?.Status);
        Assert.Empty(Directory.GetFileSystemEntries(_data.Path));
    }
}
