using Porthole.Pipeline.Orbs;

namespace Porthole.Pipeline.Tests.Orbs;

/// <summary>§A4 semantic versioning: the order a range's newest match is chosen by, and the file names of the store.</summary>
public sealed class OrbVersionsTests
{
    [Fact]
    public void Exact_versions_compare_by_number_part_by_part_and_dev_versions_come_last()
    {
        string[] versions = ["dev:b", "1.10.0", "0.0.1", "dev:a", "1.9.0", "1.9.10", "1.9.9", "10.0.0", "2.0.0"];

        var ordered = versions.Order(OrbVersions.Order).ToList();

        Assert.Equal(["0.0.1", "1.9.0", "1.9.9", "1.9.10", "1.10.0", "2.0.0", "10.0.0", "dev:a", "dev:b"], ordered);
    }

    [Theory]
    [InlineData("1", "1.10.0")]
    [InlineData("1.9", "1.9.10")]
    [InlineData("volatile", "2.0.0")]
    [InlineData("dev:a", "dev:a")]
    [InlineData("3", null)]
    public void Newest_picks_the_highest_admitted(string range, string? expected)
    {
        string[] versions = ["1.9.0", "1.10.0", "1.9.10", "2.0.0", "dev:a"];

        Assert.Equal(expected, OrbVersions.Newest(new OrbReference("ns", "orb", range), versions));
    }

    [Theory]
    [InlineData("1.2.3", "1.2.3.yml")]
    [InlineData("dev:my-branch_1.0", "dev~my-branch_1.0.yml")]
    [InlineData("1.2", null)]
    [InlineData("volatile", null)]
    [InlineData("dev:a/b", null)]
    [InlineData("dev:", null)]
    [InlineData("../1.2.3", null)]
    public void File_names_round_trip_and_refuse_anything_else(string version, string? fileName)
    {
        Assert.Equal(fileName, OrbFileNames.Of(version));
        if (fileName is not null)
        {
            Assert.Equal(version, OrbFileNames.VersionOf(fileName));
        }
    }
}
