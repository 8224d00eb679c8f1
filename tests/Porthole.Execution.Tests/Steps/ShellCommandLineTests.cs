using Porthole.Execution.Steps;

namespace Porthole.Execution.Tests.Steps;

public sealed class ShellCommandLineTests
{
    [Theory]
    [InlineData("/bin/bash -eo pipefail", new[] { "/bin/bash", "-eo", "pipefail" })]
    [InlineData("/bin/sh", new[] { "/bin/sh" })]
    [InlineData("  python3   -u ", new[] { "python3", "-u" })]
    [InlineData("bash -c 'echo hi' x", new[] { "bash", "-c", "echo hi", "x" })]
    [InlineData("\"/opt/my shell/bin\" -x", new[] { "/opt/my shell/bin", "-x" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("", new[] { "/bin/bash", "-eo", "pipefail" })]
    public void Splits_like_a_shell_without_expanding(string line, string[] expected) =>
        Assert.Equal(expected, ShellCommandLine.Split(line));
}
