using Porthole.Execution.Logging;

namespace Porthole.Execution.Tests.Logging;

public sealed class LogLinesTests
{
    [Fact]
    public void A_header_is_one_bold_line_even_for_a_multi_line_name() =>
        Assert.Equal("\u001b[1m==> make deps …\u001b[0m\n", LogLines.Header("make deps\nmake test\n"));

    [Fact]
    public void Commands_are_shown_quoted_where_a_shell_would_need_it() =>
        Assert.Equal("$ git clone -- '/tmp/my repo' 'it'\\''s' .\n", LogLines.Command(["git", "clone", "--", "/tmp/my repo", "it's", "."]));
}
