using System.Text;
using Porthole.Execution.Processes;

namespace Porthole.Execution.Tests.Processes;

public sealed class ProcEnvironTests
{
    [Theory]
    [InlineData("TAG=a\0PATH=/bin\0", true)]
    [InlineData("PATH=/bin\0TAG=a\0", true)]
    [InlineData("MYTAG=a\0TAG=b\0", false)]
    [InlineData("TAG=ab\0", false)]
    [InlineData("XTAG=a\0TAG=a\0", true)]
    [InlineData("", false)]
    public void Only_a_whole_entry_matches(string environ, bool expected) =>
        Assert.Equal(expected, ProcEnviron.ContainsEntry(Encoding.UTF8.GetBytes(environ), "TAG=a\0"u8));
}
