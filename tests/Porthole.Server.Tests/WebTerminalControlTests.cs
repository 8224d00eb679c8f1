using System.Text;
using Porthole.Server.Web.Terminal;

namespace Porthole.Server.Tests;

/// <summary>The browser terminal's control messages (text frames); anything that is not a resize is ignored.</summary>
public sealed class WebTerminalControlTests
{
    [Theory]
    [InlineData("""{"type":"resize","cols":132,"rows":43}""", 132, 43)]
    [InlineData("""{"rows":5,"cols":7,"type":"resize","extra":true}""", 7, 5)]
    [InlineData("""{"type":"resize","cols":0,"rows":100000}""", 1, 1000)]
    public void A_resize_gives_the_size_kept_to_what_a_terminal_can_be(string message, int columns, int rows)
    {
        Assert.Equal(new TerminalSize(columns, rows), TerminalControl.ResizeOf(Encoding.UTF8.GetBytes(message)));
    }

    [Theory]
    [InlineData("""{"type":"input","data":"ls"}""")]
    [InlineData("""{"type":"resize","cols":"80","rows":24}""")]
    [InlineData("""{"type":"resize","cols":80.5,"rows":24}""")]
    [InlineData("""{"type":"resize","cols":80}""")]
    [InlineData("""["resize",80,24]""")]
    [InlineData("resize 80 24")]
    [InlineData("")]
    public void Anything_else_is_not_a_resize(string message)
    {
        Assert.Null(TerminalControl.ResizeOf(Encoding.UTF8.GetBytes(message)));
    }
}
